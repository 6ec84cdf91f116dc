// A practitioner signs in, finds a person, adds a case note and signs out; every page visited
// is checked with axe-core and must have no accessibility violations.
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

test('a practitioner finds a person, adds a case note and signs out', async () => {
  const page = await newPage(browser)

  await page.goto(`${demo.url}/sign-in`)
  await checkAccessibility(page, 'the sign-in page')
  await screenshot(page, '01-sign-in')

  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Hello, Sam')
  await checkAccessibility(page, 'the caseload')
  await screenshot(page, '02-caseload')

  // Find the first person on the caseload by their family name.
  const firstPerson = page.locator('table a.govuk-link').first()
  const fullName = (await firstPerson.textContent()).trim()
  const familyName = fullName.split(' ').slice(1).join(' ')
  await page.getByRole('link', { name: 'Find a person' }).first().click()
  await page.getByLabel('Name, NHS number or date of birth').fill(familyName)
  await page.getByRole('button', { name: 'Search' }).click()
  await checkAccessibility(page, 'the search results')
  await screenshot(page, '03-search')
  await page.getByRole('link', { name: fullName }).first().click()
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), fullName)
  await checkAccessibility(page, "a person's record")
  await screenshot(page, '04-person')

  // A note with nothing in it is refused with the GOV.UK error summary, and nothing is saved.
  await page.getByRole('link', { name: 'Add a case note' }).click()
  await checkAccessibility(page, 'the case note form')
  await page.getByRole('button', { name: 'Save note' }).click()
  assert.match(await page.title(), /^Error: /)
  await page.locator('.govuk-error-summary').getByRole('link', { name: 'Enter the note' }).waitFor()
  await checkAccessibility(page, 'the case note form with an error')
  await screenshot(page, '05-note-error')

  const noteText = `Phoned about the self-assessment; agreed to visit next Tuesday (${Date.now()}).`
  await page.getByLabel('Visit').check()
  await page.getByLabel('Note', { exact: true }).fill(noteText)
  await page.getByRole('button', { name: 'Save note' }).click()
  await page.getByText(noteText).waitFor()
  await checkAccessibility(page, "the person's record after adding a note")
  await screenshot(page, '06-note-added')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('You have signed out.').waitFor()
  await checkAccessibility(page, 'the signed-out page')

  // Signed out means signed out: the record is no longer reachable.
  await page.goto(`${demo.url}/home`)
  assert.match(page.url(), /\/sign-in$/)
})

test('a wrong password is refused with a clear message', async () => {
  const page = await newPage(browser)
  await page.goto(`${demo.url}/sign-in`)
  await page.getByLabel('Email address').fill('practitioner@demo.invalid')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('.govuk-error-summary').getByText('Enter a correct email address and password').waitFor()
  await checkAccessibility(page, 'the sign-in page with an error')
})

// The Caldicott guardian signs in with a code as well: two-step-sign-in.test.mjs covers it.
test('every demo account signs in and lands on its own home page', async () => {
  const homes = {
    'practitioner@demo.invalid': '/home',
    'manager@demo.invalid': '/home',
    'finance@demo.invalid': '/home',
    'commissioner@demo.invalid': '/home',
    'analyst@demo.invalid': '/home',
    'admin@demo.invalid': '/home',
    'deputy@demo.invalid': '/home',
    'provider@demo.invalid': '/provider',
    'person@demo.invalid': '/my',
    'helper@demo.invalid': '/my'
  }
  for (const [email, home] of Object.entries(homes)) {
    const page = await newPage(browser)
    await signIn(page, demo.url, email)
    await page.waitForURL(`${demo.url}${home}`)
    await checkAccessibility(page, `the home page of ${email}`)
    await screenshot(page, `home-${email.split('@')[0]}`)
    await page.context().close()
  }
})
