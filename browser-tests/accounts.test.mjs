// Account self-service in the browser: a person stops a helper's access and the helper is
// refused at once; an administrator links a person's account with the picker and a second
// administrator confirms it. Every page visited is checked with axe-core.
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

test('a person stops their helper, who is refused at once', async () => {
  const person = await newPage(browser)
  await signIn(person, demo.url, 'person@demo.invalid')
  await person.waitForURL(`${demo.url}/my`)
  await person.getByRole('link', { name: 'See your details, contacts and letters' }).click()
  const record = new URL(person.url()).pathname

  // The helper, already signed in elsewhere, can open the person's record.
  const helper = await newPage(browser)
  await signIn(helper, demo.url, 'helper@demo.invalid')
  await helper.waitForURL(`${demo.url}/my`)
  const allowed = await helper.goto(`${demo.url}${record}`)
  assert.equal(allowed.status(), 200)

  await person.getByRole('link', { name: /Change or stop/ }).first().click()
  await checkAccessibility(person, "the page to change or stop a helper's access")
  await screenshot(person, 'accounts-01-helper')
  // Nothing ticked is refused: stopping access is its own button.
  for (const box of await person.getByRole('checkbox').all()) await box.uncheck()
  await person.getByRole('button', { name: 'Save what they can do' }).click()
  await person.locator('.govuk-error-summary').waitFor()
  await checkAccessibility(person, 'the helper page with an error')
  await person.getByRole('button', { name: 'Stop access' }).click()
  await person.waitForURL(`${demo.url}${record}`)

  const refused = await helper.goto(`${demo.url}${record}`)
  assert.equal(refused.status(), 403, 'the helper is refused on their very next request')
  await helper.getByRole('heading', { name: 'You do not have access to this page' }).waitFor()
  await checkAccessibility(helper, 'the refusal the helper sees')
})

test("an administrator links a person's account with the picker and a second administrator confirms it", async () => {
  const admin = await newPage(browser)
  await signIn(admin, demo.url, 'admin@demo.invalid')
  await admin.waitForURL(`${demo.url}/home`)
  await admin.goto(`${demo.url}/admin/users/new`)
  await admin.getByLabel('Full name').fill('Linked Person')
  await admin.getByLabel('Email address').fill('linked.person@demo.invalid')
  await admin.getByLabel('Person receiving care and support').check()
  await admin.getByLabel('Find the person this account is for').fill('a')
  await admin.getByRole('button', { name: 'Find the person' }).click()
  await checkAccessibility(admin, 'the account form with people found')
  await screenshot(admin, 'accounts-02-picker')
  const chosen = admin.getByRole('group', { name: 'Which person is this account for?' }).getByRole('radio').first()
  const label = await admin.locator(`label[for="${await chosen.getAttribute('id')}"]`).textContent()
  assert.match(label, /, born \d+ \w+ \d{4}, NHS number/)
  await chosen.check()
  await admin.getByLabel('Password').fill('fresh kettle meadow quartz')
  await admin.getByRole('button', { name: 'Create account' }).click()
  await admin.waitForURL(`${demo.url}/admin/account-links`)
  await admin.getByText('Linked Person').first().waitFor()
  await checkAccessibility(admin, 'the account links page')
  await screenshot(admin, 'accounts-03-links')
  const mine = admin.getByRole('row').filter({ hasText: 'linked.person@demo.invalid' })
  await mine.getByText('someone else must confirm it').waitFor()

  const second = await newPage(browser)
  await signIn(second, demo.url, 'admin2@demo.invalid')
  await second.waitForURL(`${demo.url}/home`)
  await second.getByRole('link', { name: 'Account links' }).first().click()
  await checkAccessibility(second, "the second administrator's account links page")
  const row = second.getByRole('row').filter({ hasText: 'linked.person@demo.invalid' })
  await row.getByRole('button', { name: /^Confirm/ }).click()
  await second.waitForURL(`${demo.url}/admin/account-links`)
  assert.equal(await second.getByRole('row').filter({ hasText: 'linked.person@demo.invalid' }).count(), 0)
})
