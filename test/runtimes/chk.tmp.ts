import { checkCatalogService } from '../../examples/catalog/src/service-check.ts'

const t = Date.now()
try {
  console.log(await checkCatalogService(process.argv[2]!), Date.now() - t)
} catch (e) {
  console.log('CHECK FAILED', e)
}
