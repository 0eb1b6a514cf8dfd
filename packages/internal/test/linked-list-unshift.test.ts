import { describe, expect, it } from 'vitest'
import { LinkedList } from '../src/index.js'

type Item = { id: number; previous: Item | undefined; next: Item | undefined }
const item = (id: number): Item => ({ id, previous: undefined, next: undefined })

function ids(list: LinkedList<Item>): number[] {
  const seen: number[] = []
  for (let current = list.head; current !== undefined; current = current.next) seen.push(current.id)
  return seen
}

describe('LinkedList.unshift', () => {
  it('puts an item in front of the oldest one', () => {
    const list = new LinkedList<Item>()
    list.push(item(2))
    list.push(item(3))
    list.unshift(item(1))
    expect(ids(list)).toEqual([1, 2, 3])
    expect(list.length).toBe(3)
    expect(list.shift()?.id).toBe(1)
    expect(list.head?.previous).toBeUndefined()
  })

  it('fills an empty list, head and tail alike', () => {
    const list = new LinkedList<Item>()
    const only = item(7)
    list.unshift(only)
    expect(list.head).toBe(only)
    expect(list.tail).toBe(only)
    list.remove(only)
    expect(list.length).toBe(0)
    expect(list.head).toBeUndefined()
    expect(list.tail).toBeUndefined()
  })
})
