// The body editor's "Photo from the library" button: django-prose-editor's configurable preset loads
// this module for the LibraryPhoto extension (settings.DJANGO_PROSE_EDITOR_EXTENSIONS) and configures
// it from articles/sanitize.py's EDITOR_EXTENSIONS (dialogUrl, title). It opens the library picker
// (picker.js) and inserts the chosen photo at the cursor as the body stores library photos:
// <figure><img src="/anh/<id>/" alt="…"><figcaption>caption</figcaption></figure>. Readers' pages show
// the photo's current caption and credit from the library, whatever the figure's text says.
import { Extension } from "django-prose-editor/editor"
import { openPicker } from "./picker.js"

export function libraryFigure(photo) {
  const content = [{ type: "image", attrs: { src: photo.src, alt: photo.alt_text || photo.caption } }]
  if (photo.caption) {
    content.push({ type: "caption", content: [{ type: "text", text: photo.caption }] })
  }
  return { type: "figure", content }
}

export const LibraryPhoto = Extension.create({
  name: "libraryPhoto",

  addOptions() {
    return {
      dialogUrl: "",
      title: "Photo from the library",
      errorText: "The photo library could not be opened. Reload the page and try again.",
    }
  },

  addCommands() {
    return {
      insertLibraryPhoto:
        () =>
        ({ editor }) => {
          const opener = editor.view.dom.closest(".prose-editor")?.querySelector(".nr-library-photo")
          openPicker({
            dialogUrl: this.options.dialogUrl,
            opener,
            onChoose: (photo) => editor.chain().focus().insertContent(libraryFigure(photo)).run(),
          }).catch(() => window.alert(this.options.errorText))
          return true
        },
    }
  },

  addMenuItems({ buttons, menu }) {
    const button = buttons.material("photo_library", this.options.title)
    button.classList.add("nr-library-photo")
    button.setAttribute("aria-label", this.options.title)
    menu.defineItem({
      name: "libraryPhoto",
      groups: "nodes",
      button,
      command: (editor) => editor.commands.insertLibraryPhoto(),
      enabled: (editor) => editor.isEditable,
    })
  },
})
