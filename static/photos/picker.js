// The photo library picker: one <dialog> (templates/photos/picker/dialog.html, fetched from
// photos/picker.py once) that searches the library, loads more results and uploads new photos.
// openPicker() is used by the body editor (editor-photo.js) and by the featured photo's chooser
// (photos/widgets.py), which this module also wires up. Under a manifest static storage the module
// may be loaded twice (by its hashed and its plain name); the one picker lives on window either way.

const SEARCH_DELAY = 250

function createPicker() {
  let dialog = null
  let loading = null
  let onChoose = null
  let opener = null
  let nextPage = null
  let request = null
  let timer = null

  async function load(dialogUrl) {
    const response = await fetch(dialogUrl, { credentials: "same-origin" })
    const type = response.headers.get("Content-Type") || ""
    if (!response.ok || !type.startsWith("text/html") || response.redirected) {
      throw new Error(`picker dialog: ${response.status}`)
    }
    const holder = document.createElement("div")
    holder.innerHTML = await response.text()
    dialog = holder.querySelector("dialog")
    // The dialog brings its stylesheet (the body editor's page has no other reason to load it); it opens
    // once that is in, so it is never seen unstyled.
    const css = holder.querySelector("link.nr-picker-css")
    const styled = new Promise((resolve) => {
      css.addEventListener("load", resolve, { once: true })
      css.addEventListener("error", resolve, { once: true })
    })
    document.head.append(css)
    document.body.append(dialog)
    wire()
    await styled
  }

  function part(selector) {
    return dialog.querySelector(selector)
  }

  function say(text) {
    part(".nr-picker-status").textContent = text
  }

  // The server answers JSON, refusals included; anything else is the login page (an expired login)
  // or a failure on the way.
  async function json(response) {
    const type = response.headers.get("Content-Type") || ""
    if (type.startsWith("application/json")) return response.json()
    throw new Error(
      response.redirected || type.startsWith("text/html")
        ? dialog.dataset.textLogin
        : dialog.dataset.textError,
    )
  }

  function item(photo) {
    const node = part(".nr-picker-item-template").content.firstElementChild.cloneNode(true)
    const button = node.querySelector("button")
    const img = node.querySelector("img")
    button.dataset.photoId = photo.id
    if (photo.thumbnail) {
      img.src = photo.thumbnail
    } else {
      const badge = document.createElement("span")
      badge.className = "nr-badge nr-badge-missing"
      badge.textContent = dialog.dataset.textMissing
      img.replaceWith(badge)
    }
    node.querySelector(".nr-picker-caption").textContent = photo.caption || dialog.dataset.textNoCaption
    node.querySelector(".nr-picker-credit").textContent = photo.credit
    button.addEventListener("click", () => choose(photo))
    return node
  }

  function choose(photo) {
    const callback = onChoose
    dialog.close()
    callback?.(photo)
  }

  async function search({ more = false } = {}) {
    request?.abort()
    request = new AbortController()
    const url = new URL(dialog.dataset.searchUrl, window.location.href)
    url.searchParams.set("q", part("#nr-picker-q").value)
    url.searchParams.set("page", more ? nextPage : 1)
    const grid = part(".nr-picker-grid")
    const moreButton = part(".nr-picker-more")
    dialog.setAttribute("aria-busy", "true")
    try {
      const response = await fetch(url, { credentials: "same-origin", signal: request.signal })
      const data = await json(response)
      if (!response.ok) throw new Error(data.error)
      if (!more) grid.replaceChildren()
      const shown = new Set([...grid.querySelectorAll("[data-photo-id]")].map((b) => b.dataset.photoId))
      for (const photo of data.results) {
        if (!shown.has(String(photo.id))) grid.append(item(photo))
      }
      nextPage = data.next_page
      moreButton.hidden = !nextPage
      say(data.summary)
    } catch (error) {
      if (error.name !== "AbortError") say(error.message || dialog.dataset.textError)
    } finally {
      dialog.removeAttribute("aria-busy")
    }
  }

  async function upload(form) {
    const results = form.querySelector(".nr-picker-results")
    const send = form.querySelector(".nr-picker-send")
    send.disabled = true
    results.replaceChildren()
    say(dialog.dataset.textUploading)
    try {
      const body = new FormData(form)
      // The cookie's token is the current one: a login in another tab since the dialog was fetched
      // changed it, and the form's copy would be refused.
      const token = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1]
      if (token) body.set("csrfmiddlewaretoken", decodeURIComponent(token))
      const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" })
      const data = await json(response)
      if (!response.ok) throw new Error(data.error)
      for (const result of data.results) {
        const line = document.createElement("li")
        line.className = result.ok ? "nr-picker-ok" : "nr-picker-refused"
        line.textContent = `${result.name}: ${result.ok ? dialog.dataset.textUploaded : result.error}`
        results.append(line)
      }
      form.querySelector("input[type=file]").value = ""
      // The new photos are the newest: they head the grid, ready to be chosen.
      part("#nr-picker-q").value = ""
      await search()
    } catch (error) {
      const line = document.createElement("li")
      line.className = "nr-picker-refused"
      line.textContent = error.message || dialog.dataset.textError
      results.append(line)
      say("")
    } finally {
      send.disabled = false
    }
  }

  function wire() {
    part("#nr-picker-q").addEventListener("input", () => {
      clearTimeout(timer)
      timer = setTimeout(search, SEARCH_DELAY)
    })
    // Enter searches at once instead of submitting anything.
    part("#nr-picker-q").addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault()
        clearTimeout(timer)
        search()
      }
    })
    part(".nr-picker-more").addEventListener("click", () => search({ more: true }))
    const form = part(".nr-picker-upload")
    form?.addEventListener("submit", (event) => {
      event.preventDefault()
      upload(form)
    })
    dialog.addEventListener("close", () => {
      onChoose = null
      opener?.focus()
      opener = null
    })
  }

  async function open(options) {
    loading ||= load(options.dialogUrl)
    try {
      await loading
    } catch (error) {
      loading = null
      throw error
    }
    onChoose = options.onChoose
    opener = options.opener || document.activeElement
    dialog.showModal()
    part("#nr-picker-q").focus()
    await search()
  }

  return { open }
}

export function openPicker(options) {
  window.newsroomPhotoPicker ||= createPicker()
  return window.newsroomPhotoPicker.open(options)
}

// The featured photo's chooser (photos/widgets.py): without JavaScript a number input for the photo's
// id; with it, the thumbnail and caption of the choice and the "Choose photo…" and "Remove" buttons.
function wireChooser(chooser) {
  if (chooser.dataset.wired) return
  chooser.dataset.wired = "1"
  const input = chooser.querySelector("input")
  const current = chooser.querySelector(".nr-chooser-current")
  const empty = chooser.querySelector(".nr-chooser-empty")
  const choose = chooser.querySelector(".nr-chooser-choose")
  const clear = chooser.querySelector(".nr-chooser-clear")
  const status = chooser.querySelector(".nr-chooser-status")
  chooser.querySelector(".nr-chooser-fallback").hidden = true
  input.type = "hidden"
  choose.hidden = false

  function show(photo) {
    input.value = photo ? photo.id : ""
    input.dispatchEvent(new Event("input", { bubbles: true }))
    input.dispatchEvent(new Event("change", { bubbles: true }))
    current.hidden = !photo
    empty.hidden = Boolean(photo)
    clear.hidden = !photo
    if (!photo) return
    const thumb = current.querySelector(".nr-chooser-thumb")
    const img = document.createElement("img")
    if (photo.thumbnail) {
      img.src = photo.thumbnail
      img.alt = ""
      img.width = 160
      img.height = 160
      thumb.replaceChildren(img)
    } else {
      thumb.replaceChildren(chooser.dataset.textMissing)
    }
    const caption = [photo.caption, photo.credit].filter(Boolean).join(" — ")
    current.querySelector("figcaption").textContent = caption || chooser.dataset.textNoCaption
  }

  clear.hidden = !input.value
  choose.addEventListener("click", () => {
    status.textContent = ""
    openPicker({ dialogUrl: chooser.dataset.dialogUrl, opener: choose, onChoose: show }).catch(() => {
      status.textContent = chooser.dataset.textError
    })
  })
  clear.addEventListener("click", () => {
    show(null)
    choose.focus()
  })
}

function wireChoosers() {
  for (const chooser of document.querySelectorAll("[data-photo-chooser]")) wireChooser(chooser)
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", wireChoosers)
} else {
  wireChoosers()
}
