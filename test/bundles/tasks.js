// The task module: an entry of its own in every build, so what it imports is bundled into it.
import { isMainThread, threadId } from 'node:worker_threads'
import { slugify } from './helper.js'

export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2)
}

export function slug(text) {
  return slugify(text)
}

export function whereAmI() {
  return { isMainThread, threadId }
}
