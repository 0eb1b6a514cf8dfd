import { statusPageTest } from '@loopwork-example/catalog/testing/status-page-test'

statusPageTest(new URL('../src/main.ts', import.meta.url))
