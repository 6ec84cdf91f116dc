// Two-step sign-in in the browser: a practitioner sets it up from Your account, reading the key
// from the page, signs out, and signs in with the password then a code worked out here with
// Node's own HMAC (RFC 6238); the demo's Caldicott guardian signs in with the published key.
// Every page visited is checked with axe-core.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
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

/** RFC 4648 base32 (spaces ignored) to bytes. */
function base32Decode (text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let buffer = 0
  let bits = 0
  const out = []
  for (const character of text.replace(/\s+/g, '')) {
    const value = alphabet.indexOf(character)
    assert.ok(value >= 0, `${character} is not base32`)
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((buffer >> bits) & 0xff)
    }
  }
  return Buffer.from(out)
}

/** The six-digit RFC 6238 code (HMAC-SHA-1, 30-second steps) for a moment, in seconds. */
function totp (secret, seconds) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)))
  const digest = createHmac('sha1', secret).update(counter).digest()
  const offset = digest[19] & 0x0f
  const binary = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000
  return String(binary).padStart(6, '0')
}

const now = () => Date.now() / 1000

test('a practitioner sets up two-step sign-in, signs out, and signs in with a code', async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(`${demo.url}/account`)
  await page.getByRole('link', { name: 'Set up two-step sign-in' }).click()
  await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor()
  await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).waitFor()
  await checkAccessibility(page, 'the two-step sign-in setup page')
  await screenshot(page, 'two-step-01-setup')
  const secret = base32Decode(await page.locator('#setup-key').innerText())
  assert.equal(secret.length, 20)

  // A wrong code is refused with the error summary.
  const right = totp(secret, now())
  await page.getByLabel('Security code').fill(right === '000000' ? '111111' : '000000')
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  await checkAccessibility(page, 'the setup page with an error')

  await page.getByLabel('Security code').fill(totp(secret, now()))
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click()
  await page.getByRole('heading', { name: 'Two-step sign-in is on' }).waitFor()
  assert.equal(await page.locator('#recovery-codes li').count(), 10)
  await checkAccessibility(page, 'the recovery codes page')
  await screenshot(page, 'two-step-02-recovery-codes')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/sign-in\?signed_out=1$/)
  await signIn(page, demo.url, 'practitioner@demo.invalid')
  await page.waitForURL(`${demo.url}/sign-in/code`)
  await page.getByRole('heading', { name: 'Enter your security code' }).waitFor()
  await checkAccessibility(page, 'the security code page')
  await screenshot(page, 'two-step-03-code')
  // The code that switched it on was this time step's; the next step's code is accepted (one
  // step of clock drift) and has not been used.
  await page.getByLabel('Security code').fill(totp(secret, now() + 30))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(`${demo.url}/home`)
  await page.goto(`${demo.url}/account`)
  await page.getByRole('link', { name: 'Manage two-step sign-in' }).click()
  await page.getByRole('heading', { name: 'Two-step sign-in', exact: true }).waitFor()
  await checkAccessibility(page, 'the page to manage two-step sign-in')
})

test("the demo's Caldicott guardian signs in with the key the demo publishes", async () => {
  const page = await newPage(browser)
  await signIn(page, demo.url, 'caldicott@demo.invalid')
  await page.waitForURL(`${demo.url}/sign-in/code`)
  await page.getByLabel('Security code').fill(totp(base32Decode('ORQW S3DP OIWW IZLN N4WX I53P FVZX IZLQ'), now()))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(`${demo.url}/home`)
})
