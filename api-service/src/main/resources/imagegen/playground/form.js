// The generation form: the model picker, the chosen model's parameters from its endpoints record, input images.
import { call } from './api.js';
import { el, fieldError } from './dom.js';

/** Fields the form shows elsewhere, or that the page decides itself (it always shows images by URL). */
const NOT_PARAMETERS = new Set(['model', 'prompt', 'image', 'user', 'response_format']);
const ACCEPTED_IMAGES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

/** `chosen` is the model the form is for; `turn` counts choices, so that only the latest one draws the form. */
const state = { models: [], images: [], chosen: null, turn: 0 };

/** A model record's availability (docs/api.md "Model availability"); `null` (not known yet) stays selectable. */
function availability(model) {
  if (model.available !== false) return { available: true, reason: '' };
  return { available: false, reason: model.unavailable_reason || 'not available on this deployment' };
}

/** Loads the model list into the picker; keeps the previous choice when it is still offered. */
export async function loadModels() {
  const picker = document.getElementById('model');
  const previous = picker.value;
  const list = await call('GET', '/v1/images/models');
  state.models = list.data || [];
  picker.replaceChildren(...state.models.map((model) => {
    const { available, reason } = availability(model);
    const label = `${model.name && model.name !== model.id ? `${model.name} · ` : ''}${model.id}${available ? '' : ` — unavailable: ${reason}`}`;
    return el('option', { value: model.id, disabled: !available, title: reason }, label);
  }));
  const firstAvailable = state.models.find((m) => availability(m).available);
  const keep = state.models.find((m) => m.id === previous && availability(m).available);
  picker.value = keep ? keep.id : (firstAvailable ? firstAvailable.id : '');
  await showModel(true);
}

/** Renders the chosen model's parameters with their defaults (from GET …/endpoints), unless already drawn. */
export async function showModel(redraw = false) {
  const chosen = document.getElementById('model').value;
  // Re-choosing the model on screen keeps what the user typed.
  if (!redraw && chosen === state.chosen) return;
  state.chosen = chosen;
  const turn = ++state.turn;
  const model = state.models.find((m) => m.id === chosen);
  const params = document.getElementById('params');
  const hint = document.getElementById('model-hint');
  let record = null;
  if (model) {
    record = await call('GET', model.endpoints_url
      || `/v1/images/models/${encodeURIComponent(model.author)}/${encodeURIComponent(model.slug)}/endpoints`);
  }
  // A newer choice was made while this record loaded: that choice draws the form.
  if (turn !== state.turn) return;
  params.replaceChildren(el('legend', {}, 'Parameters'));
  delete params.dataset.model;
  if (!model) {
    hint.textContent = 'No model is available.';
    return;
  }
  const endpoint = (record.data.endpoints || [])[0] || {};
  const features = model.features || {};
  const price = endpoint.pricing ? ` · ${endpoint.pricing.per_image} ${endpoint.pricing.currency} per image` : '';
  hint.textContent = `${features.async_only ? 'Runs as a task' : 'Synchronous'}${features.edits ? ' · accepts input images' : ''}${price}`;
  const supported = endpoint.supported_parameters || {};
  const defaults = endpoint.defaults || {};
  const limits = endpoint.limits || {};
  const names = Object.keys(supported).filter((name) => !NOT_PARAMETERS.has(name));
  names.sort((a, b) => rank(a) - rank(b));
  for (const name of names) params.append(parameterField(name, supported[name], defaults, limits));
  const imageField = document.getElementById('image-field');
  imageField.hidden = !('image' in supported) || limits.max_input_images === 0;
  if (imageField.hidden) setImages([]);
  params.dataset.model = model.id;
  document.getElementById('image-hint').textContent = limits.max_input_images
    ? `Up to ${limits.max_input_images}; PNG, JPEG, WebP or GIF. Adding one makes this an edit.` : '';
}

/** The common parameters first, in the order people choose them; the model's own after, as the record lists them. */
function rank(name) {
  const first = ['size', 'quality', 'n'].indexOf(name);
  return first < 0 ? 3 : first;
}

function parameterField(name, spec, defaults, limits) {
  const id = `p-${name}`;
  let input;
  let hint = '';
  if (name === 'size' && limits.sizes) {
    input = select(id, limits.sizes, defaults.size, false);
  } else if (name === 'size') {
    input = el('input', { id, type: 'text', value: defaults.size || '', inputmode: 'text', spellcheck: 'false' });
    hint = `WIDTHxHEIGHT, each side ${limits.min_side}–${limits.max_side}`;
  } else if (name === 'n') {
    input = el('input', { id, type: 'number', min: 1, max: limits.max_n || 1, value: 1 });
    hint = `1–${limits.max_n || 1}`;
  } else if (spec && Array.isArray(spec.enum)) {
    input = select(id, spec.enum, defaults[name], !(name in defaults));
  } else {
    input = el('input', { id, type: 'text', placeholder: 'model default', spellcheck: 'false' });
  }
  input.name = name;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
  return el('div', { class: 'field', 'data-param': name },
    el('label', { for: id }, name),
    input,
    el('p', { class: 'hint', id: hintId }, hint),
    el('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true }));
}

function select(id, values, chosen, withDefault) {
  const options = values.map((v) => el('option', { value: v, selected: v === chosen }, v));
  if (withDefault) options.unshift(el('option', { value: '' }, '(model default)'));
  return el('select', { id }, ...options);
}

/** Typed as the API expects: whole numbers and booleans as JSON values, everything else as text. */
function typed(raw) {
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** The request body the form describes; blank optional fields are left to the model's defaults. */
export function requestBody() {
  const body = { model: document.getElementById('model').value, prompt: document.getElementById('prompt').value };
  for (const input of document.querySelectorAll('#params [name]')) {
    const raw = input.value.trim();
    if (raw !== '') body[input.name] = input.name === 'size' ? raw : typed(raw);
  }
  if (state.images.length === 1) body.image = state.images[0].dataUrl;
  else if (state.images.length > 1) body.image = state.images.map((i) => i.dataUrl);
  return body;
}

function setImages(images) {
  state.images = images;
  document.getElementById('thumbs').replaceChildren(...images.map((image, index) => el('li', {},
    el('img', { src: image.dataUrl, alt: image.name }),
    el('button', { type: 'button', class: 'link', 'aria-label': `Remove ${image.name}`,
      onclick: () => setImages(state.images.filter((_, i) => i !== index)) }, 'Remove'))));
  document.getElementById('mode').textContent = images.length ? `Edit mode: ${images.length} input image(s)` : '';
}

function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, dataUrl: reader.result });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function addFiles(files) {
  fieldError('image', '');
  const chosen = Array.from(files);
  const refused = chosen.filter((f) => !ACCEPTED_IMAGES.includes(f.type));
  if (refused.length) fieldError('image', `Not an image the API accepts: ${refused.map((f) => f.name).join(', ')}`);
  const read = await Promise.all(chosen.filter((f) => ACCEPTED_IMAGES.includes(f.type)).map(readDataUrl));
  setImages(state.images.concat(read));
}

/** Wires the picker, the file input and the drop zone. */
export function wireForm(onError) {
  document.getElementById('model').addEventListener('change', () => showModel().catch(onError));
  const input = document.getElementById('image');
  input.addEventListener('change', () => addFiles(input.files).then(() => { input.value = ''; }).catch(onError));
  const drop = document.getElementById('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    addFiles(e.dataTransfer.files).catch(onError);
  });
}
