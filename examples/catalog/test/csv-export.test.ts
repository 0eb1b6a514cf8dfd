import { expect, it } from 'vitest'
import { csvField, csvLine, generateItems } from '../src/index.js'

it('quotes a CSV field only when it holds a comma, quote or line break', () => {
  expect(csvField('plain')).toBe('plain')
  expect(csvField(42)).toBe('42')
  expect(csvField('a,b')).toBe('"a,b"')
  expect(csvField('say "hi"')).toBe('"say ""hi"""')
  expect(csvField('two\nlines')).toBe('"two\nlines"')
})

it('writes one item per CRLF-terminated line', () => {
  const [item] = [...generateItems(1)]
  expect(csvLine({ ...item!, name: 'Oak, "Chair"' })).toBe(
    `1,SKU-000001,"Oak, ""Chair""",${item!.category},${item!.priceCents},${item!.stock}\r\n`,
  )
})
