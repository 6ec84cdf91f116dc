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

test('an administrator issues a reset link, the owner sets a new password with it, and their account page lists their tokens', async () => {
  const admin = await newPage(browser)
  await signIn(admin, demo.url, 'admin@demo.invalid')
  await admin.waitForURL(`${demo.url}/home`)
  await admin.goto(`${demo.url}/admin/users`)
  await checkAccessibility(admin, 'the accounts page')
  await admin.getByRole('row').filter({ hasText: 'analyst@demo.invalid' }).getByRole('button', { name: /^Reset password/ }).click()
  const link = (await admin.locator('#reset-link').textContent()).trim()
  await checkAccessibility(admin, 'the reset link page')
  await screenshot(admin, 'accounts-04-reset-link')

  const owner = await newPage(browser)
  await owner.goto(link)
  await checkAccessibility(owner, 'the choose a new password page')
  const password = 'copper willow harbour lantern'
  await owner.getByLabel('New password', { exact: true }).fill(password)
  await owner.getByLabel('Type the new password again').fill(password)
  await owner.getByRole('button', { name: 'Set password' }).click()
  await owner.waitForURL(`${demo.url}/sign-in?password_reset=1`)
  await owner.getByText('Your password has been changed').waitFor()
  await owner.getByLabel('Email address').fill('analyst@demo.invalid')
  await owner.getByLabel('Password', { exact: true }).fill(password)
  await owner.getByRole('button', { name: 'Sign in' }).click()
  await owner.waitForURL(`${demo.url}/home`)
  await owner.getByRole('link', { name: 'Your account' }).click()
  await checkAccessibility(owner, 'your account page')
  await screenshot(owner, 'accounts-05-your-account')
  // The reset withdrew the demo's working token too.
  assert.equal(await owner.getByRole('button', { name: /^Withdraw/ }).count(), 0)
  await owner.getByRole('link', { name: 'Change your password' }).click()
  await owner.getByRole('button', { name: 'Change password' }).click()
  await owner.locator('.govuk-error-summary').waitFor()
  await checkAccessibility(owner, 'the change password page with errors')

  const used = await (await newPage(browser)).goto(link)
  assert.equal(used.status(), 404, 'the link works once')
})
