// Worklists and sense checks in the demo council: the practitioner filters and sorts the
// caseload by stage (a plain GET form, so it works without JavaScript); a £50,000,000 indicative
// budget is ticked as checked, then waits for a team manager, whose queue says how far above the
// worked-out figure and the tolerance it is, and who agrees it (a decline needs a reason); the
// manager's queue says how far over tolerance a plan is; the audit log fits a 320px screen. axe-core runs on
// every page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDemo, launchBrowser, newPage, checkAccessibility, signIn, screenshot } from './helpers.mjs'

let demo
let browser

before(async () => {
  demo = await startDemo()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await demo?.stop()
})

/** Whether the page is no wider than the window: nothing to scroll sideways. */
async function fitsTheWindow (page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)
}

test('the caseload is filtered and sorted by stage, without JavaScript', async () => {
  // The filter is a plain GET form: worked here with JavaScript off, and each page it shows is
  // then opened in a normal page for axe-core (which needs JavaScript to run).
  const checked = await newPage(browser)
  await signIn(checked, demo.url, 'practitioner@demo.invalid')
  await checked.waitForURL(`${demo.url}/home`)
  await checkAccessibility(checked, 'the caseload with stages')
  const cookies = await checked.context().cookies()

  const context = await browser.newContext({ javaScriptEnabled: false })
  await context.addCookies(cookies)
  const page = await context.newPage()
  await page.goto(`${demo.url}/home`)
  const table = page.getByRole('region', { name: /caseload|people/ })
  assert.match(await table.textContent(), /Self-assessment to check/)
  assert.match(await table.textContent(), /Plan waiting for a team manager/)

  await page.getByLabel('Stage').selectOption('assessment_to_check')
  await page.getByLabel('Sort by').selectOption('waiting')
  await page.getByRole('button', { name: 'Show' }).click()
  await page.waitForURL(/stage=assessment_to_check/)
  assert.match(page.url(), /sort=waiting/)
  const stages = await page.locator('tbody tr td:nth-child(2)').allTextContents()
  assert.ok(stages.length >= 1, 'someone is waiting to be checked')
  for (const stage of stages) assert.match(stage, /^Self-assessment to check/)
  const waited = await page.locator('tbody tr td:nth-child(4)').allTextContents()
  assert.ok(waited.every((text) => /days?$/.test(text.trim())), `days waiting: ${waited}`)
  assert.equal(await page.getByLabel('Stage').inputValue(), 'assessment_to_check', 'the filter stays chosen')
  const filtered = page.url()
  await context.close()

  await checked.goto(filtered)
  await checkAccessibility(checked, 'the caseload filtered by stage')
  await screenshot(checked, 'worklists-01-filtered')
  await checked.setViewportSize({ width: 320, height: 800 })
  assert.ok(await fitsTheWindow(checked), 'the caseload fits a 320px screen')
  await checkAccessibility(checked, 'the caseload at 320px')
  await checked.context().close()
})

test('a £50,000,000 override is checked, waits for a manager, and the manager agrees it', async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(`${demo.url}/home?stage=planning`)
  await page.locator('tbody a.govuk-link').first().click()
  await page.getByRole('link', { name: 'How it was worked out' }).click()
  await checkAccessibility(page, 'how the budget was worked out')
  const budgetPage = page.url()

  await page.getByLabel('New yearly amount, in pounds').fill('50000000')
  await page.getByLabel('Why').fill('Round-the-clock care from two workers')
  await page.getByRole('button', { name: 'Change the budget' }).click()
  assert.match(await page.title(), /^Error: /)
  await page.locator('.govuk-error-summary').getByText('£50,000,000.00 a year is far more than usual. Check the amount').waitFor()
  await page.locator('.govuk-error-summary').getByRole('link', { name: /Check the amount: change it, or tick the box/ }).waitFor()
  await checkAccessibility(page, 'the override asking the practitioner to check the amount')
  await screenshot(page, 'worklists-02-check-the-amount')
  await page.getByLabel('I have checked: the amounts are right').check()
  await page.getByRole('button', { name: 'Change the budget' }).click()
  await page.waitForURL(budgetPage)
  const waiting = await page.locator('main').textContent()
  assert.match(waiting, /Waiting for a team manager to agree £50,000,000\.00 a year; asked by .+ on \d+ \w+ \d{4}/)
  assert.doesNotMatch(await page.locator('.govuk-panel').textContent(), /50,000,000/, 'not saved until a manager agrees')
  await checkAccessibility(page, 'the budget with a change waiting for a manager')
  await page.context().close()

  const manager = await newPage(browser)
  await signIn(manager, demo.url, 'manager@demo.invalid')
  await manager.waitForURL(`${demo.url}/home`)
  await checkAccessibility(manager, "the manager's home page")
  const queue = manager.getByRole('table', { name: /Plans over tolerance/ })
  assert.match(await queue.textContent(), /over \(\d+\.\d%\)/)
  assert.match(await queue.textContent(), /beyond the 10% tolerance/)
  const changes = manager.getByRole('table', { name: /Changes to indicative budgets waiting for you/ })
  const changesText = await changes.textContent()
  assert.match(changesText, /£50,000,000\.00 a year asked for: .+ above \(\d+\.\d%\) the worked-out/)
  assert.match(changesText, /beyond the 10% tolerance/)
  assert.match(changesText, /Above the council.s ceiling of £300,000\.00 a year/)
  assert.match(changesText, /Asked by /)
  await manager.goto(budgetPage)
  // Declining needs a reason.
  await manager.getByRole('button', { name: 'Decline the change' }).click()
  assert.match(await manager.title(), /^Error: /)
  await manager.locator('.govuk-error-summary').getByRole('link', { name: /Explain why the change is declined/ }).waitFor()
  await checkAccessibility(manager, 'declining without a reason')
  await screenshot(manager, 'worklists-03-decline-needs-a-reason')
  await manager.getByRole('button', { name: 'Agree the change' }).click()
  await manager.waitForURL(budgetPage)
  assert.match(await manager.locator('.govuk-panel').textContent(), /£50,000,000\.00/)
  assert.match(await manager.locator('main').textContent(), /agreed the change to £50,000,000\.00 a year/)
  await checkAccessibility(manager, 'the budget after the manager agreed it')
  await manager.context().close()
})

test('the audit log reads as sentences, filters, and fits a 320px screen', async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'admin@demo.invalid')
  await page.goto(`${demo.url}/admin/audit`)
  await checkAccessibility(page, 'the audit log')
  assert.match(await page.locator('tbody').textContent(), / viewed .+'s /)
  await page.getByLabel('Kind of event').selectOption('plan_submitted')
  await page.getByRole('button', { name: 'Show events' }).click()
  await page.waitForURL(/kind=plan_submitted/)
  const rows = await page.locator('tbody tr td:nth-child(2)').allTextContents()
  assert.ok(rows.length >= 1)
  for (const row of rows) assert.match(row, /sent .+'s support plan to be agreed/)
  await checkAccessibility(page, 'the audit log filtered')
  await page.setViewportSize({ width: 320, height: 800 })
  assert.ok(await fitsTheWindow(page), 'the audit log fits a 320px screen')
  await checkAccessibility(page, 'the audit log at 320px')
  await screenshot(page, 'worklists-04-audit-320')
  await page.context().close()
})

test('the budget statement prints as a letter and downloads as a PDF', async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(`${demo.url}/home?stage=plan_agreed`)
  await page.locator('tbody a.govuk-link').first().click()
  await page.getByRole('link', { name: 'Budget statement' }).click()
  await page.getByRole('heading', { level: 1, name: /'s personal budget$/ }).waitFor()
  await page.getByRole('link', { name: 'The budget statement, to print or download' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your personal budget statement' }).waitFor()
  const text = await page.locator('main').textContent()
  assert.match(text, /Tailorford Council/)
  assert.match(text, /BUD-[0-9A-F]{8}/)
  assert.match(text, /If you think this is wrong/)
  assert.match(text, /Local Government and Social Care Ombudsman/)
  await checkAccessibility(page, 'the printable budget statement')
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.locator('.govuk-header').isVisible(), false, 'the header is not printed')
  await page.emulateMedia({ media: 'screen' })
  await screenshot(page, 'worklists-05-statement')
  const pdfLink = await page.getByRole('link', { name: 'Download as a PDF' }).getAttribute('href')
  const pdf = await page.request.get(`${demo.url}${pdfLink}`)
  assert.equal(pdf.headers()['content-type'], 'application/pdf')
  const bytes = await pdf.body()
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
  if (process.env.TAILOR_TEST_SCREENSHOTS) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(`${process.env.TAILOR_TEST_SCREENSHOTS}/worklists-05-statement.pdf`, bytes)
  }
  await page.context().close()
})
