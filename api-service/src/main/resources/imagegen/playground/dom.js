// Small DOM helpers: elements built from data (never from HTML strings) and errors shown next to their field.

/** Creates an element; `on…` attributes with a function become listeners, `true`/`false` toggle an attribute. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Shows (or, with an empty message, clears) the error next to the field for `param`; false if there is none. */
export function fieldError(param, message) {
  const field = document.querySelector(`.field[data-param="${CSS.escape(param)}"]`);
  const slot = field && field.querySelector('.field-error');
  if (!slot) return false;
  slot.textContent = message;
  slot.hidden = !message;
  const input = field.querySelector('input, select, textarea');
  if (input) input.toggleAttribute('aria-invalid', Boolean(message));
  return true;
}

export function clearErrors() {
  for (const slot of document.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of document.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** The field an API `error.param` names: `image[1]` and `image.url` belong to the `image` field. */
export function paramField(param) {
  return param ? String(param).split(/[.[]/)[0] : null;
}

export function formatTime(unixSeconds) {
  return unixSeconds ? new Date(unixSeconds * 1000).toLocaleString() : '';
}
