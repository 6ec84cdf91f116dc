// Challenges where they count: a person found not eligible challenges the eligibility decision,
// the team manager (who did not make it) finds it in their queue and hands it to the team's other
// manager with a reason, who answers it, and the person reads the
// answer with the complaints route and the Local Government and Social Care Ombudsman. axe-core
// checks every page on the way.
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

test('a person challenges an eligibility decision, a manager hands it on, another answers, the person sees the answer and the Ombudsman', async () => {
  const page = await newPage(browser)

  // The person sends a self-assessment with the least need in every answer.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await page.getByRole('link', { name: 'See your details, contacts and letters' }).click()
  const personName = (await page.getByRole('heading', { level: 1 }).textContent()).trim()
  await page.goto(`${demo.url}/my`)
  await page.getByRole('link', { name: '1. My money' }).click()
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForURL(/\/questions\//)
  for (let answered = 0; answered < 40 && /\/questions\//.test(page.url()); answered++) {
    await page.locator('input[type=radio][name=answer]').first().check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForLoadState()
  }
  await page.getByRole('button', { name: 'Send my answers' }).click()
  await page.getByRole('link', { name: 'See the answers that were sent' }).click()
  const assessmentUrl = page.url()
  await signOut(page)

  // The practitioner finds them not eligible, with written advice on preventing or delaying needs.
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(assessmentUrl)
  await page.getByRole('link', { name: 'Check this assessment' }).click()
  await page.getByLabel('Yes: accept it').check()
  await page.getByRole('button', { name: 'Save' }).click()
  // How the assessment was carried out is recorded before any decision.
  await page.getByRole('link', { name: 'Record how the assessment was carried out' }).click()
  const duty = (legend) => page.locator('fieldset').filter({ hasText: legend })
  await duty('Were they offered a supported self-assessment?').getByLabel('Yes').check()
  await page.getByLabel(/^Supported self-assessment/).check()
  await page.getByLabel(/^No reason to doubt/).check()
  await duty('Would they have substantial difficulty').getByLabel('No').check()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('link', { name: 'Decide eligibility' }).click()
  await page.locator('fieldset').filter({ hasText: 'impairment or illness' }).getByLabel('Yes').check()
  for (const able of await page.locator('input[type=radio][value=able]').all()) await able.check()
  await page.locator('input[name=outcome_maintaining_personal_hygiene][value=needs_assistance]').check()
  await page.locator('fieldset').filter({ hasText: 'significant impact' }).getByLabel('Yes').check()
  await page.getByLabel('Why: the impact on their wellbeing').fill('Washing is hard some mornings; the rest they manage.')
  await page.locator('fieldset').filter({ hasText: 'Do their needs fluctuate?' }).getByLabel('Yes').check()
  await page.getByLabel('The period you looked at').fill('The 12 weeks before the visit')
  await page.getByLabel(/How their needs change/).fill('Worse for a few days after a hospital appointment.')
  // Not eligible: the advice is required.
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.locator('.govuk-error-summary').getByText(/Enter your advice on what could prevent or delay/).waitFor()
  await checkAccessibility(page, 'the eligibility form without the advice')
  await page.getByLabel(/Your advice on what could prevent or delay/).fill('The falls prevention service runs strength and balance classes near you. A bath board would make washing safer.')
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByText('The decision: not eligible for care and support').waitFor()
  await checkAccessibility(page, 'the eligibility check page, not eligible')
  await page.getByRole('button', { name: 'Record the decision' }).click()
  await page.getByText(/not eligible for care and support/).first().waitFor()
  await signOut(page)

  // The person reads the decision with the advice and where to get help, and challenges it.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await page.goto(assessmentUrl)
  await page.getByText('A bath board would make washing safer.').waitFor()
  await page.getByRole('heading', { name: 'Where to get help' }).waitFor()
  await page.getByText(/took the harder times into account/).waitFor()
  await checkAccessibility(page, 'a not-eligible decision with advice and signposting')
  await screenshot(page, 'c1-not-eligible-with-advice')
  await page.getByRole('link', { name: 'Challenge this decision' }).click()
  await page.getByRole('heading', { name: 'Challenge the eligibility decision' }).waitFor()
  await checkAccessibility(page, 'the challenge form')
  await page.getByRole('button', { name: 'Send my challenge' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  await checkAccessibility(page, 'the challenge form with an error')
  await page.getByLabel('Why do you think the eligibility decision is wrong?').fill('I cannot get in or out of the bath on my own on most days, not only some.')
  await page.getByRole('button', { name: 'Send my challenge' }).click()
  await page.locator('.govuk-panel').getByText('Challenge sent').waitFor()
  await page.getByRole('heading', { name: 'What happens next' }).waitFor()
  await page.getByText(/Helen Marsh will look at/).waitFor()
  await checkAccessibility(page, 'the challenge confirmation')
  await screenshot(page, 'c2-challenge-sent')
  await signOut(page)

  // The practitioner who decided cannot answer it; the team manager owns it.
  await signIn(page, demo.url, 'manager@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.getByRole('link', { name: 'Challenges', exact: true }).click()
  await checkAccessibility(page, 'the challenges queue with days left')
  const row = page.getByRole('row').filter({ hasText: personName }).filter({ hasText: 'The eligibility decision' })
  await row.getByText('28 days').waitFor()
  await row.getByRole('link', { name: personName }).click()
  await page.getByText('I cannot get in or out of the bath').waitFor()
  await checkAccessibility(page, 'a challenge, as its owner sees it')

  // The manager hands it to the team's other manager; the decision maker is never offered.
  const handOn = page.locator('form').filter({ hasText: 'Who should answer it instead?' })
  assert.equal(await handOn.getByLabel('Sam Okoro').count(), 0, 'the practitioner who decided is not offered')
  await handOn.getByRole('button', { name: 'Hand it on' }).click()
  await page.locator('.govuk-error-summary').getByText('Select who should answer the challenge instead').waitFor()
  await checkAccessibility(page, 'the hand-on form with errors')
  await page.getByLabel('Priya Nair').check()
  await page.getByLabel('Why are you handing it on?').fill('I am on leave next week; Priya can answer well within the date.')
  await page.getByRole('button', { name: 'Hand it on' }).click()
  await page.getByRole('heading', { name: 'Earlier owners' }).waitFor()
  await page.getByText(/Helen Marsh handed it on to Priya Nair/).waitFor()
  await page.getByText('Why: I am on leave next week; Priya can answer well within the date.').waitFor()
  assert.equal(await page.getByRole('button', { name: 'Send the answer' }).count(), 0, 'the earlier owner no longer answers it')
  await checkAccessibility(page, 'a challenge handed to another owner')
  await screenshot(page, 'c2b-challenge-handed-on')
  const challengeUrl = page.url()
  await signOut(page)

  // The new owner answers it.
  await signIn(page, demo.url, 'deputy@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(challengeUrl)
  await page.getByText('I cannot get in or out of the bath').waitFor()
  await page.getByLabel(/^Upheld/).check()
  await page.getByLabel(/^Your reasons/).fill('We looked again with you: washing needs help most days, which the decision missed. We will decide eligibility again this week.')
  await page.getByRole('button', { name: 'Send the answer' }).click()
  await page.getByRole('link', { name: 'Decide eligibility again' }).first().waitFor()
  await checkAccessibility(page, 'an answered challenge, as its owner sees it')
  await signOut(page)

  // The person sees the answer, the reasons, and the next step if they are not happy.
  await signIn(page, demo.url, 'person@demo.invalid')
  await page.waitForURL(`${demo.url}/my`)
  await page.getByRole('link', { name: 'The council has answered your challenge to the eligibility decision' }).click()
  await page.getByText('Upheld: the decision was wrong and will change').waitFor()
  await page.getByText(/washing needs help most days/).waitFor()
  await page.getByText(/Local Government and Social Care Ombudsman/).first().waitFor()
  await page.getByText('0300 061 0614').waitFor()
  assert.equal(await page.getByRole('button', { name: 'Send the answer' }).count(), 0, 'the person cannot answer their own challenge')
  await checkAccessibility(page, 'the answer with the complaints route and the Ombudsman')
  await screenshot(page, 'c3-answer-and-ombudsman')
})
