// The playground's wiring: key, form, submit, result and history. Every failure ends up on the page.
import { ApiError, apiKey, call, randomKey } from './api.js';
import { clearErrors, fieldError, paramField } from './dom.js';
import { loadModels, requestBody, wireForm } from './form.js';
import { refreshHistory } from './history.js';
import { render, showNothing, track } from './task.js';

const $ = (id) => document.getElementById(id);
/** The Idempotency-Key of a submission whose answer never arrived; a retry resends it so it cannot run twice. */
let unanswered = null;
let submitting = false;

function banner(message) {
  $('banner').textContent = message;
  $('banner').hidden = !message;
}

/** Puts an error where it belongs: next to the field the API named, at the key on a 401, else under the form. */
function report(error) {
  if (error && error.name === 'AbortError') return;
  const message = error && error.message ? error.message : String(error);
  if (error instanceof ApiError && error.status === 401) {
    fieldError('api-key', message);
    $('api-key').focus();
  } else if (!(error instanceof ApiError && fieldError(paramField(error.param), message))) {
    fieldError('form', message);
  }
}

const history = () => refreshHistory(openTask).catch(report);
// A finished task's image records are written just after its terminal status (docs/architecture.md): look again
// shortly after, so the history shows the new images without a manual refresh.
const afterTask = () => {
  history();
  setTimeout(history, 1500);
};

async function openTask(task) {
  try {
    track(await call('GET', `/v1/images/generations/${encodeURIComponent(task.id)}`), afterTask);
  } catch (e) {
    report(e);
  }
}

async function useKey() {
  clearErrors();
  banner('');
  if (!apiKey.get()) {
    showNothing('Paste an API key above to start.');
    return;
  }
  try {
    await loadModels();
    showNothing('Pick a model, write a prompt and press Generate.');
    await refreshHistory(openTask);
  } catch (e) {
    report(e);
  }
}

async function submit(event) {
  event.preventDefault();
  if (submitting) return;
  clearErrors();
  if (!apiKey.get()) {
    fieldError('api-key', 'Paste your API key first.');
    $('api-key').focus();
    return;
  }
  const idempotencyKey = $('use-idempotency').checked ? (unanswered || randomKey()) : null;
  unanswered = idempotencyKey;
  submitting = true;
  $('submit').disabled = true;
  $('submit').textContent = 'Submitting…';
  try {
    const body = requestBody();
    const answer = await call('POST', '/v1/images/generations', { body, idempotencyKey });
    unanswered = null;
    if (answer.object === 'image.generation.task') {
      track(answer, afterTask);
    } else {
      // A synchronous model answers the OpenAI images response itself.
      render({ status: 'SUCCEEDED', model: body.model, prompt: body.prompt, created_at: answer.created, result: answer });
    }
    history();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 0)) unanswered = null;
    report(e);
  } finally {
    submitting = false;
    $('submit').disabled = false;
    $('submit').textContent = 'Generate';
  }
}

function wire() {
  $('api-key').value = apiKey.get();
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    apiKey.set($('api-key').value.trim());
    useKey();
  });
  $('forget-key').addEventListener('click', () => {
    apiKey.set('');
    $('api-key').value = '';
    useKey();
  });
  $('gen-form').addEventListener('submit', submit);
  // Enter submits; Shift+Enter starts a new line.
  $('prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('gen-form').requestSubmit();
    }
  });
  $('refresh').addEventListener('click', history);
  wireForm(report);
  // Never a blank page: anything unexpected is said in the banner.
  window.addEventListener('error', (e) => banner(`Something went wrong: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => banner(`Something went wrong: ${e.reason && e.reason.message ? e.reason.message : e.reason}`));
  useKey();
}

wire();
