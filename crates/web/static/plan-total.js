// Re-costs the support plan as the person types, by asking the server (which holds the only copy
// of the money rules). Without JavaScript, the "Update the total" button does the same.
const form = document.getElementById('plan-form')
if (form) {
  const total = document.getElementById('plan-total-cost')
  const differenceLabel = document.getElementById('plan-difference-label')
  const difference = document.getElementById('plan-difference')
  let pending = null
  let latest = 0
  const recost = async () => {
    const request = ++latest
    const response = await fetch(form.dataset.costUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin'
    })
    // Answers can arrive out of order; only the newest counts.
    if (!response.ok || request !== latest) return
    const cost = await response.json()
    total.textContent = cost.total
    differenceLabel.textContent = cost.difference_label
    difference.textContent = cost.difference
  }
  form.addEventListener('input', (event) => {
    if (!event.target.name || !event.target.name.startsWith('line_')) return
    clearTimeout(pending)
    pending = setTimeout(recost, 250)
  })
  form.addEventListener('change', (event) => {
    if (event.target.tagName === 'SELECT') recost()
  })
}
