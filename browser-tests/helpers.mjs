// Shared set-up for the browser tests: a fresh demo council served by the real binary on a free
// port, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const PASSWORD = 'tailor-demo-password'

/** Starts `tailor demo` on a new SQLite file and resolves once it prints its address. */
export async function startDemo ({ people = 60 } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'tailor-browser-'))
  const binary = process.env.TAILOR_TEST_BINARY ?? join(root, 'target', 'debug', 'tailor')
  const child = spawn(binary, ['demo', '--bind', '127.0.0.1:0', '--database-url', `sqlite:${join(directory, 'demo.db')}`, '--people', String(people)], {
    env: { ...process.env, TAILOR_DEMO_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise((resolve, reject) => {
    let seen = ''
    child.stdout.on('data', (chunk) => {
      seen += chunk.toString()
      const match = seen.match(/listening on (http:\/\/[0-9.:]+)/)
      if (match) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`tailor demo exited with ${code} before listening:\n${seen}`)))
  })
  return {
    url,
    async stop () {
      child.kill('SIGINT')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(directory, { recursive: true, force: true })
    }
  }
}

export async function launchBrowser () {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

/** A browser context; CSP is bypassed only so that axe-core can be injected for checking. */
export async function newPage (browser) {
  const context = await browser.newContext({ bypassCSP: true })
  return context.newPage()
}

/** Runs axe-core on the page and fails on any violation, naming each rule and element. */
export async function checkAccessibility (page, label) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, { resultTypes: ['violations'] })
  })
  const summary = results.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.nodes.map((node) => node.target.join(' ')).join('\n    ')}`)
  assert.deepEqual(summary, [], `accessibility problems on ${label}:\n${summary.join('\n')}`)
}

export async function signIn (page, url, email) {
  await page.goto(`${url}/sign-in`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

export async function screenshot (page, name) {
  if (process.env.TAILOR_TEST_SCREENSHOTS) {
    await page.screenshot({ path: join(process.env.TAILOR_TEST_SCREENSHOTS, `${name}.png`), fullPage: true })
  }
}
