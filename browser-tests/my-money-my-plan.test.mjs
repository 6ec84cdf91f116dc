// Steps 1 to 3 end to end: a person completes their self-assessment and sees how their budget
// was worked out, writes a plan and sends it; the practitioner checks the assessment, decides
// eligibility, records the financial assessment and agrees the plan; the person sees the budget
// statement. axe-core checks every page on the way.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDemo, launchBrowser, newPage, checkAccessibility, signIn, screenshot } from './helpers.mjs'

let demo
let browser

before(async () => {
  demo = await startDemo({ people: 30 })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await demo?.stop()
})

async function signOut (page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have signed out.').waitFor()
}

test('a person assesses, plans and gets their plan agreed', async () => {
  const page = await newPage(browser)

  // The person starts their self-assessment from their home page, through a start page.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await page.getByRole('link', { name: 'See your details, contacts and letters' }).click()
  const personName = (await page.getByRole('heading', { level: 1 }).textContent()).trim()
  // Staff read the person's name where the person reads "you".
  const firstName = personName.split(' ')[0]
  await page.goto(`${demo.url}/my`)
  await page.getByRole('link', { name: '1. My money' }).click()
  await page.getByRole('heading', { name: 'Tell us about your needs' }).waitFor()
  await checkAccessibility(page, 'the self-assessment start page')
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForURL(/\/questions\//)
  await checkAccessibility(page, 'a question page')
  await screenshot(page, 'p1-question')
  const firstQuestion = page.url()

  // Continuing without an answer is refused with the error summary.
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  await checkAccessibility(page, 'a question page with an error')

  // Answer the first question, go on, then Back: the answer is still there.
  const chooseThird = async () => {
    const radios = page.locator('input[type=radio][name=answer]')
    await radios.nth(Math.min(2, (await radios.count()) - 1)).check()
  }
  await chooseThird()
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL((url) => url.href !== firstQuestion && /\/questions\//.test(url.href))
  await page.getByRole('link', { name: 'Back' }).click()
  await page.waitForURL(firstQuestion)
  assert.equal(await page.locator('input[type=radio][name=answer]:checked').count(), 1, 'Back keeps the answer given')

  // Save and come back later; the home page says what to do, and Carry on goes to the next
  // question without an answer.
  await page.getByRole('button', { name: 'Save and come back later' }).click()
  await page.goto(`${demo.url}/my`)
  await page.getByRole('link', { name: 'Carry on with your self-assessment' }).click()
  await page.waitForURL((url) => url.href !== firstQuestion && /\/questions\//.test(url.href))

  // Answer every other question: the third option ("some help") where there is one.
  for (let answered = 0; answered < 40 && /\/questions\//.test(page.url()); answered++) {
    await chooseThird()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForLoadState()
  }
  assert.match(page.url(), /\/check$/)
  await checkAccessibility(page, 'check your answers')
  await screenshot(page, 'p2-check-answers')

  // Change an answer from the check page: Continue comes back to the check page.
  await page.getByRole('link', { name: /^Change/ }).first().click()
  await page.waitForURL(/\?from=check$/)
  await page.locator('input[type=radio][name=answer]').first().check()
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/\/check$/)

  // About you, in their own words: what matters is asked, strengths and support may wait.
  await page.getByRole('link', { name: 'Tell us about you' }).click()
  await page.getByRole('heading', { name: 'About you' }).waitFor()
  await page.getByRole('button', { name: 'Save and check your answers' }).click()
  await page.locator('.govuk-error-summary').getByText('Enter what matters to you').waitFor()
  await checkAccessibility(page, 'about you, with an error')
  await page.getByLabel('What matters to you').fill('Getting to the market on Thursdays and seeing my grandchildren.')
  await page.getByLabel(/^What you are good at and enjoy/).fill('I still cook my own tea.')
  await page.getByRole('button', { name: 'Save and check your answers' }).click()
  await page.waitForURL(/\/check$/)
  await page.getByText('Getting to the market on Thursdays and seeing my grandchildren.').waitFor()
  await checkAccessibility(page, 'check your answers, with about you')

  await page.getByRole('button', { name: 'Send my answers' }).click()
  await page.getByRole('heading', { name: 'Your answers have been sent' }).waitFor()
  await page.getByRole('heading', { name: 'What happens next' }).waitFor()
  await checkAccessibility(page, 'the confirmation that the answers were sent')
  await page.getByRole('link', { name: 'See the answers that were sent' }).click()
  await page.getByText('Waiting for the council to check').first().waitFor()
  await checkAccessibility(page, 'the written record of the assessment')
  const assessmentUrl = page.url()
  await signOut(page)

  // The practitioner accepts it and decides eligibility; the budget is worked out.
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.getByRole('heading', { name: /Self-assessments to check/ }).waitFor()
  await checkAccessibility(page, 'the caseload with work queues')
  await page.goto(assessmentUrl)
  await page.getByRole('link', { name: 'Check this assessment' }).click()
  await checkAccessibility(page, 'the assessment check form')
  await page.getByLabel('Yes: accept it').check()
  await page.getByRole('button', { name: 'Save' }).click()
  // How the assessment was carried out comes before the decision: nothing is chosen for the
  // practitioner, and substantial difficulty needs an advocate with their details.
  await page.getByRole('link', { name: 'Record how the assessment was carried out' }).click()
  await checkAccessibility(page, 'the assessment duties form')
  assert.equal(await page.locator('input[type=radio]:checked').count(), 0, 'nothing is pre-selected')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.locator('.govuk-error-summary').getByText('Select how the assessment was carried out').waitFor()
  const duty = (legend) => page.locator('fieldset').filter({ hasText: legend })
  await duty('Were they offered a supported self-assessment?').getByLabel('Yes').check()
  await page.getByLabel(/^Supported self-assessment/).check()
  await page.getByLabel(/^No reason to doubt/).check()
  await duty('Would they have substantial difficulty').getByLabel('Yes').check()
  await page.getByLabel('An independent advocate was arranged').check()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.locator('.govuk-error-summary').getByText("Enter the advocate's name").waitFor()
  await checkAccessibility(page, 'the assessment duties form with errors')
  await page.getByLabel("The advocate's name").fill('Priya Shah')
  await page.getByLabel('The advocacy organisation').fill('Tailorford Advocacy Hub')
  await page.getByLabel("The advocate's phone number or email address").fill('01632 960 456')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Priya Shah, Tailorford Advocacy Hub, 01632 960 456').waitFor()
  await page.getByRole('link', { name: 'Decide eligibility' }).click()
  await checkAccessibility(page, 'the eligibility form')
  await page.locator('fieldset').filter({ hasText: 'impairment or illness' }).getByLabel('Yes').check()
  await page.locator('input[name=outcome_maintaining_personal_hygiene][value=needs_assistance]').check()
  await page.locator('input[name=outcome_managing_and_maintaining_nutrition][value=needs_assistance]').check()
  await page.locator('fieldset').filter({ hasText: 'significant impact' }).getByLabel('Yes').check()
  await page.getByLabel('Why: the impact on their wellbeing').fill('Without help to wash and eat, their health and dignity are at risk.')
  await page.locator('fieldset').filter({ hasText: 'Do their needs fluctuate?' }).getByLabel('No').check()
  await page.getByLabel('The period you looked at').fill('The eight weeks before the visit')
  // Nothing is chosen for the practitioner: an outcome left blank is an error of its own.
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.locator('.govuk-error-summary').getByText(/Select a finding for/).first().waitFor()
  await checkAccessibility(page, 'the eligibility form with the blank outcomes in error')
  for (const able of await page.locator('input[type=radio][value=able]').all()) {
    const name = await able.getAttribute('name')
    if ((await page.locator(`input[name=${name}]:checked`).count()) === 0) await able.check()
  }
  await page.getByRole('button', { name: 'Continue' }).click()
  // A check page comes before anything is recorded.
  await page.getByRole('heading', { name: 'Check the eligibility decision before you record it' }).waitFor()
  await page.getByText('The decision: eligible for care and support').waitFor()
  await checkAccessibility(page, 'the eligibility check page')
  await page.getByRole('button', { name: 'Record the decision' }).click()
  await page.getByText(`${firstName} is eligible for care and support`).waitFor()
  await checkAccessibility(page, 'the eligibility decision letter')
  await screenshot(page, 'p3-eligibility-letter')
  await page.getByRole('link', { name: 'See how we worked this out' }).click()
  await page.getByRole('heading', { name: `How we worked out ${firstName}'s budget` }).waitFor()
  await checkAccessibility(page, 'how the budget was worked out')
  await screenshot(page, 'p4-how-we-worked-it-out')
  await page.getByRole('link', { name: 'Back' }).click()
  await page.getByRole('link', { name: 'Record a financial assessment' }).click()
  await checkAccessibility(page, 'the financial assessment form')
  await page.getByLabel('Yes, they gave their financial details').check()
  await page.getByLabel('Single, with no children living with them').check()
  // Income itemised by source: the State Pension counts; the mobility part of PIP does not.
  const incomeLine = (number) => page.locator('fieldset').filter({ hasText: `Income line ${number}` })
  await incomeLine(1).getByLabel('Where it comes from').selectOption('state_pension')
  await incomeLine(1).getByLabel('Weekly, £').fill('230.25')
  await incomeLine(2).getByLabel('Where it comes from').selectOption('personal_independence_payment_mobility')
  await incomeLine(2).getByLabel('Weekly, £').fill('28.70')
  await page.getByLabel('Savings and investments in their own name, £').fill('5000')
  const extraCost = page.locator('fieldset').filter({ hasText: 'Extra cost 1' })
  await extraCost.getByLabel('What for').fill('Extra heating')
  await extraCost.getByLabel('Weekly, £').fill('10')
  await extraCost.getByLabel('What shows it is spent').fill('Energy bills for the last year')
  await checkAccessibility(page, 'the financial assessment form, filled in')
  await page.getByRole('button', { name: 'Work out the contribution' }).click()
  await page.getByText(/Can afford .* a week towards their care/).waitFor()
  await signOut(page)

  // The person sees their budget and writes their plan.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await checkAccessibility(page, 'the person home page with steps')
  await page.getByRole('link', { name: '2. Making my plan' }).click()
  await checkAccessibility(page, 'the plan form')
  await page.getByLabel('What do you want to achieve?').fill('Stay in my own home and keep going to the market on Thursdays.')
  await page.locator('#line_description_1').fill('Personal assistant, mornings')
  await page.locator('#line_unit_cost_1').fill('15.50')
  // Hours can have parts: £15.50 × 7.5 hours × 52 weeks.
  await page.locator('#line_units_1').fill('7.5')
  await page.locator('#line_support_1').selectOption({ label: 'A personal assistant I employ' })
  await page.locator('#line_meets_1').selectOption('maintaining_personal_hygiene')
  // The total follows the typing (the page's script asks the server)...
  await page.locator('#plan-total-cost').getByText('£6,045.00 a year').waitFor()
  // ...and "Update the total" gives the same without JavaScript.
  await page.getByRole('button', { name: 'Update the total' }).click()
  await page.locator('#plan-total').getByText('£6,045.00 a year').waitFor()
  await screenshot(page, 'p5-plan')
  await page.getByLabel('What could go wrong, and how will you manage it?').fill('Falls in the bathroom: the PA is there every morning.')
  await page.getByLabel('What will happen if your support does not turn up?').fill('My daughter lives nearby and will come.')
  await page.getByLabel('What information and advice have you been given?').fill('The falls class at the leisure centre, and a benefits check with Age UK.')
  // The six ways of holding the money are explained side by side, and none is chosen for the person.
  for (const way of ['Direct payment', 'Indirect payment', 'Trust', 'Brokered fund', 'Individual service fund', 'Council-managed']) {
    await page.getByRole('rowheader', { name: way, exact: true }).waitFor()
  }
  assert.equal(await page.locator('input[name=money_manager]:checked').count(), 0, 'no way of holding the money is pre-selected')
  await page.getByRole('button', { name: 'Send my plan to be agreed' }).click()
  await page.locator('.govuk-error-summary').getByText('Select who will manage the money').waitFor()
  await checkAccessibility(page, 'the plan form with no way of holding the money chosen')
  assert.equal(await page.locator('input[name=money_manager]:checked').count(), 0, 'still nothing chosen after the error')
  await page.getByLabel('Me, as a direct payment').check()
  await page.getByRole('button', { name: 'Send my plan to be agreed' }).click()
  // A confirmation, with what happens next and when.
  await page.locator('.govuk-panel').getByText('Your plan has been sent').waitFor()
  await page.getByText(/aim to answer within 10 working days/).waitFor()
  await checkAccessibility(page, 'the plan sent confirmation')
  await screenshot(page, 'p5b-plan-sent')
  await page.getByRole('link', { name: 'See the plan that was sent' }).click()
  await page.getByRole('heading', { name: 'Waiting for the practitioner to agree it' }).waitFor()
  // The plan's statutory content, in the person's voice.
  await page.getByRole('heading', { name: 'Your needs' }).waitFor()
  await page.getByRole('heading', { name: 'Your direct payment' }).waitFor()
  await page.getByText(/paid every 4 weeks: £465.00 each time/).waitFor()
  await page.getByText('The falls class at the leisure centre, and a benefits check with Age UK.').waitFor()
  await checkAccessibility(page, 'the submitted plan')
  await signOut(page)

  // The practitioner agrees the plan; a refusal without a reason is not accepted first.
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.getByRole('heading', { name: /Plans to agree/ }).waitFor()
  await page.locator('h2:has-text("Plans to agree") + ul').getByRole('link', { name: personName }).click()
  await page.getByRole('link', { name: 'Agree the plan, or ask for changes' }).click()
  await checkAccessibility(page, 'the sign-off form')
  await page.getByLabel(/Some spending cannot be agreed/).check()
  await page.getByRole('button', { name: 'Save decision' }).click()
  await page.locator('.govuk-error-summary').getByText('Enter why the spending is unlawful or would cause harm').waitFor()
  await page.getByLabel(/Yes: this is a realistic plan/).check()
  await page.getByRole('button', { name: 'Save decision' }).click()
  await page.getByRole('heading', { name: `${firstName}'s personal budget` }).waitFor()
  await signOut(page)

  // The person sees the budget statement.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await page.getByRole('link', { name: '4. Organising my money' }).click()
  await page.getByRole('heading', { name: 'Your personal budget' }).waitFor()
  await page.getByText('The cost of meeting your needs').waitFor()
  await page.getByText('How your contribution was worked out').waitFor()
  await checkAccessibility(page, 'the budget statement')
  await screenshot(page, 'p6-budget-statement')
})

test('a team manager answers a challenge that a budget is not enough', async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'manager@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.getByRole('link', { name: 'Challenges', exact: true }).click()
  await page.getByRole('heading', { name: 'Challenges to answer' }).waitFor()
  await checkAccessibility(page, 'the challenges queue')
  await page.getByRole('row').filter({ hasText: 'The personal budget' }).getByRole('link').first().click()
  await page.getByRole('heading', { name: /challenge$/ }).waitFor()
  await checkAccessibility(page, 'a budget challenge, as the manager sees it')
  await page.getByRole('button', { name: 'Send the answer' }).click()
  await page.locator('.govuk-error-summary').getByText(/Select whether the challenge is upheld/).waitFor()
  await checkAccessibility(page, 'a challenge answer with an error')
  await page.getByLabel(/^Partly upheld/).check()
  await page.getByLabel(/^Your reasons/).fill('We will add two nights of support a week. Your worker will ring you on Monday.')
  await page.getByRole('button', { name: 'Send the answer' }).click()
  await page.getByText('We will add two nights of support a week.').waitFor()
  await page.getByText('Local Government and Social Care Ombudsman', { exact: false }).first().waitFor()
})
