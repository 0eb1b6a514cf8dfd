// The status page's script, inlined into the page and allowed by its hash in the
// Content-Security-Policy. Every name from the server (routes, primitives, the title) reaches the
// document through textContent only; URLs are relative to the page, so any mount path works.
;(() => {
  const maxPoints = 3600
  const streamRetryMs = 30_000
  const base = location.pathname.endsWith('/') ? location.pathname : `${location.pathname}/`
  const byId = (id) => document.getElementById(id)

  /** @type {unknown[][]} */
  const points = []
  let lastSeq = -1
  let state
  let fields = {}
  let source
  let pollTimer
  let streamTimer
  let pollDelay = 1000

  // ----- formatting -----------------------------------------------------------------------------

  const na = 'n/a'
  const isNumber = (value) => typeof value === 'number' && Number.isFinite(value)
  const fixed = (value, digits) =>
    value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
  const ms = (value) => {
    if (!isNumber(value)) return na
    if (value >= 1000) return `${fixed(value / 1000, 2)} s`
    return `${fixed(value, value < 10 ? 2 : value < 100 ? 1 : 0)} ms`
  }
  const percent = (value) => (isNumber(value) ? `${fixed(value * 100, 1)}%` : na)
  const count = (value) => (isNumber(value) ? fixed(value, value < 10 ? 2 : 0) : na)
  const rate = (value) => (isNumber(value) ? `${fixed(value, value < 10 ? 1 : 0)}/s` : na)
  const mebibytes = (value) => (isNumber(value) ? `${fixed(value / 1048576, 1)} MiB` : na)
  const ago = (time) => {
    const seconds = Math.max(0, Math.round((Date.now() - time) / 1000))
    if (seconds < 60) return `${seconds} s ago`
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
    return new Date(time).toLocaleTimeString()
  }
  const duration = (seconds) => {
    if (seconds < 120) return `${seconds} s`
    if (seconds < 7200) return `${Math.floor(seconds / 60)} min`
    return `${Math.floor(seconds / 3600)} h`
  }
  /** A route percentile: below the first bucket bound the histogram only tells "< bound". */
  const routeMs = (value, firstBucketMs) =>
    isNumber(value) && value < firstBucketMs ? `< ${ms(firstBucketMs)}` : ms(value)

  const element = (tag, className, text) => {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }
  const setText = (id, text) => {
    const node = byId(id)
    if (node.textContent !== text) node.textContent = text
  }

  // ----- charts ---------------------------------------------------------------------------------

  const colors = () => {
    const style = getComputedStyle(document.documentElement)
    return {
      series: [1, 2, 3].map((index) => style.getPropertyValue(`--series-${index}`).trim()),
      line: style.getPropertyValue('--line').trim(),
      muted: style.getPropertyValue('--muted').trim(),
    }
  }

  /**
   * Draws lines over time on a canvas: `left` series share the left axis (from 0 to their
   * largest value), `right` series a 0..1 axis drawn as a percentage.
   */
  const drawChart = (canvas, { left, right = [], format, bare = false }) => {
    const ratio = window.devicePixelRatio || 1
    const width = canvas.clientWidth
    const height = canvas.clientHeight
    if (width === 0 || height === 0) return
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio)
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio)
    const context = canvas.getContext('2d')
    context.setTransform(ratio, 0, 0, ratio, 0, 0)
    context.clearRect(0, 0, width, height)
    const palette = colors()
    const pad = bare
      ? { left: 1, right: 1, top: 3, bottom: 2 }
      : { left: 58, right: right.length > 0 ? 40 : 8, top: 8, bottom: 18 }
    const plotWidth = width - pad.left - pad.right
    const plotHeight = height - pad.top - pad.bottom
    const times = points.map((point) => point[fields.time])
    const end = times.length > 0 ? times[times.length - 1] : Date.now()
    const span = Math.max(60_000, times.length > 0 ? end - times[0] : 0)
    const x = (time) => pad.left + plotWidth * (1 - (end - time) / span)
    let top = 0
    for (const series of left) {
      for (const point of points) {
        const value = series.value(point)
        if (isNumber(value) && value > top) top = value
      }
    }
    top = niceCeiling(top)
    context.font = '11px system-ui, sans-serif'
    context.fillStyle = palette.muted
    context.strokeStyle = palette.line
    context.lineWidth = 1
    context.textBaseline = 'middle'
    for (let step = 0; step <= 2 && !bare; step++) {
      const y = pad.top + plotHeight * (1 - step / 2)
      context.beginPath()
      context.moveTo(pad.left, Math.round(y) + 0.5)
      context.lineTo(pad.left + plotWidth, Math.round(y) + 0.5)
      context.stroke()
      context.textAlign = 'right'
      context.fillText(format((top * step) / 2), pad.left - 6, y)
      if (right.length > 0) {
        context.textAlign = 'left'
        context.fillText(`${(step * 50).toFixed(0)}%`, pad.left + plotWidth + 6, y)
      }
    }
    if (bare) {
      context.beginPath()
      context.moveTo(pad.left, pad.top + plotHeight + 0.5)
      context.lineTo(pad.left + plotWidth, pad.top + plotHeight + 0.5)
      context.stroke()
    } else {
      context.textAlign = 'left'
      context.textBaseline = 'alphabetic'
      context.fillText(`${Math.round(span / 60_000)} min ago`, pad.left, height - 4)
      context.textAlign = 'right'
      context.fillText('now', pad.left + plotWidth, height - 4)
    }
    const plot = (series, color, scale) => {
      context.strokeStyle = color
      context.lineWidth = 1.5
      context.beginPath()
      let drawing = false
      for (const point of points) {
        const value = series.value(point)
        if (!isNumber(value)) {
          drawing = false
          continue
        }
        const px = x(point[fields.time])
        const py = pad.top + plotHeight * (1 - Math.min(1, value / scale))
        if (drawing) context.lineTo(px, py)
        else context.moveTo(px, py)
        drawing = true
      }
      context.stroke()
    }
    for (const [index, series] of left.entries()) plot(series, palette.series[index], top || 1)
    for (const [index, series] of right.entries()) {
      plot(series, palette.series[left.length + index], 1)
    }
  }

  const niceCeiling = (value) => {
    if (!(value > 0)) return 1
    const power = 10 ** Math.floor(Math.log10(value))
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power
    return 10 * power
  }

  const drawSparkline = (canvas, id) => {
    drawChart(canvas, {
      left: [
        { value: (point) => point[fields.panels]?.[id]?.[0] },
        { value: (point) => point[fields.panels]?.[id]?.[1] },
      ],
      format: (value) => fixed(value, 1),
      bare: true,
    })
  }

  // ----- rendering ------------------------------------------------------------------------------

  const renderHeader = () => {
    const { process: proc } = state
    setText('title', state.title)
    if (document.title !== state.title) document.title = state.title
    setText('runtime', `${proc.runtime} · pid ${proc.pid} · up ${duration(proc.uptimeSeconds)}`)
    setText('updated', `updated ${new Date(state.time).toLocaleTimeString()}`)
    setText('window', String(Math.round(state.requests.windowSeconds)))
  }

  const renderLoop = () => {
    const { loop } = state
    setText('loop-p50', ms(loop.p50Ms))
    setText('loop-p99', ms(loop.p99Ms))
    setText('loop-max', ms(loop.maxMs))
    setText('loop-utilization', percent(loop.utilization))
    drawChart(byId('loop-chart'), {
      left: [
        { value: (point) => point[fields.loopP99Ms] },
        { value: (point) => point[fields.loopMaxMs] },
      ],
      right: [{ value: (point) => point[fields.loopUtilization] }],
      format: ms,
    })
  }

  const renderBlocks = () => {
    const { blocks } = state
    setText(
      'blocks-summary',
      blocks.thresholdMs === null
        ? 'The blocked-loop detector is off: call metrics.detectBlocking() to see stalls here.'
        : `Stalls of ${ms(blocks.thresholdMs)} or more: ${blocks.count} since start${blocks.count > blocks.recent.length ? ` (latest ${blocks.recent.length} shown)` : ''}.`,
    )
    const list = byId('blocks')
    const items = blocks.recent.map((block) => {
      const item = element('li')
      item.append(
        element('span', 'duration', `blocked ${ms(block.durationMs)}`),
        element('span', 'when', ago(block.at)),
        element('span', 'in-flight', `${block.inFlight} in flight`),
      )
      if (block.requests.length === 0)
        item.append(element('span', 'route note', 'no request in flight'))
      for (const group of block.requests) {
        const route = element('span', 'route')
        if (group.method !== null) route.append(element('span', 'method', group.method))
        route.append(
          document.createTextNode(group.route ?? 'route not known yet'),
          document.createTextNode(group.count > 1 ? ` ×${group.count}` : ''),
        )
        item.append(route)
      }
      return item
    })
    list.replaceChildren(...items)
  }

  const routeRows = new Map()
  const renderRequests = () => {
    const { requests } = state
    setText('requests-rate', rate(requests.rate))
    setText('requests-in-flight', count(requests.inFlight))
    for (const statusClass of ['2xx', '3xx', '4xx', '5xx']) {
      setText(`status-${statusClass}`, rate(requests.statuses[statusClass]))
    }
    setText(
      'routes-caption',
      `Routes, busiest first${requests.routesOmitted > 0 ? ` (${requests.routesOmitted} more not shown)` : ''}`,
    )
    drawChart(byId('requests-chart'), {
      left: [
        { value: (point) => point[fields.requests] },
        { value: (point) => point[fields.errors] },
        { value: (point) => point[fields.inFlight] },
      ],
      format: (value) => fixed(value, value < 10 ? 1 : 0),
    })
    const body = byId('routes')
    const rows = requests.routes.map((view) => {
      const key = `${view.method} ${view.route}`
      let row = routeRows.get(key)
      if (row === undefined) {
        row = element('tr')
        const name = element('td')
        name.append(element('span', 'method', view.method), element('span', 'route', view.route))
        row.append(name, element('td'), element('td'), element('td'), element('td'), element('td'))
        routeRows.set(key, row)
      }
      const cells = row.children
      cells[1].textContent = rate(view.rate)
      cells[2].textContent = routeMs(view.p50Ms, requests.firstBucketMs)
      cells[3].textContent = routeMs(view.p99Ms, requests.firstBucketMs)
      cells[4].textContent = view.errors > 0 ? count(view.errors) : '0'
      cells[4].className = view.errors > 0 ? 'errors' : ''
      cells[5].textContent = count(view.total)
      return row
    })
    const shown = new Set(rows)
    for (const [key, row] of routeRows) if (!shown.has(row)) routeRows.delete(key)
    body.replaceChildren(...rows)
  }

  const renderProcess = () => {
    const { process: proc } = state
    setText(
      'process-heap',
      isNumber(proc.heapUsedBytes)
        ? `${mebibytes(proc.heapUsedBytes)} of ${mebibytes(proc.heapTotalBytes)}`
        : na,
    )
    setText('process-rss', mebibytes(proc.rssBytes))
    setText('process-cpu', percent(proc.cpu))
    drawChart(byId('process-chart'), {
      left: [
        { value: (point) => point[fields.heapUsedBytes] / 1048576 },
        { value: (point) => point[fields.rssBytes] / 1048576 },
      ],
      right: [{ value: (point) => point[fields.cpu] }],
      format: (value) => fixed(value, 0),
    })
  }

  const gauge = (view, field) => view.gauges[field]
  const counter = (view, field) => view.counters[field]
  const total = (view, field) => count(counter(view, field)?.[0])
  const perSecond = (view, field) => rate(counter(view, field)?.[1])

  /** The rows of each kind's panel: a label and how to read it. */
  const panelRows = {
    limiter: [
      [
        'tokens borrowed',
        (v) => `${count(gauge(v, 'borrowedTokens'))} of ${count(gauge(v, 'totalTokens'))}`,
      ],
      ['waiting', (v) => `${count(gauge(v, 'waiting'))} (max ${count(gauge(v, 'maxWaiting'))})`],
      ['acquired', (v) => perSecond(v, 'acquired')],
      ['rejected', (v) => total(v, 'rejected')],
      ['timed out', (v) => total(v, 'timedOut')],
      ['aborted', (v) => total(v, 'aborted')],
    ],
    pool: [
      [
        'threads busy',
        (v) =>
          `${count(gauge(v, 'busy'))} of ${count(gauge(v, 'threads'))} (max ${count(gauge(v, 'maxThreads'))})`,
      ],
      ['running', (v) => count(gauge(v, 'running'))],
      ['waiting', (v) => count(gauge(v, 'waiting'))],
      ['utilization', (v) => percent(gauge(v, 'utilization'))],
      [
        'task time p50/p99',
        (v) => `${ms(gauge(v, 'runTime.p50'))} / ${ms(gauge(v, 'runTime.p99'))}`,
      ],
      ['wait p50/p99', (v) => `${ms(gauge(v, 'waitTime.p50'))} / ${ms(gauge(v, 'waitTime.p99'))}`],
      ['completed', (v) => perSecond(v, 'completed')],
      ['failed', (v) => total(v, 'failed')],
    ],
    queue: [
      ['waiting', (v) => count(gauge(v, 'waiting'))],
      ['running', (v) => count(gauge(v, 'running'))],
      ['delayed', (v) => count(gauge(v, 'delayed'))],
      ['completed', (v) => perSecond(v, 'completed')],
      ['failed', (v) => total(v, 'failed')],
      ['retried', (v) => total(v, 'retried')],
      ['dead letters', (v) => count(gauge(v, 'deadLetters'))],
    ],
    supervisor: [
      ['running', (v) => count(gauge(v, 'running'))],
      ['started', (v) => perSecond(v, 'started')],
      ['succeeded', (v) => total(v, 'succeeded')],
      ['failed', (v) => total(v, 'failed')],
      ['aborted', (v) => total(v, 'aborted')],
    ],
    batcher: [
      ['keys waiting', (v) => count(gauge(v, 'waiting'))],
      ['batches running', (v) => count(gauge(v, 'running'))],
      ['batches', (v) => perSecond(v, 'batches')],
      [
        'batch size',
        (v) =>
          `${count(v.derived.batchSize ?? gauge(v, 'meanBatchSize'))} (largest ${count(gauge(v, 'largestBatch'))})`,
      ],
      [
        'wait mean/longest',
        (v) => `${ms(gauge(v, 'meanWaitMs'))} / ${ms(gauge(v, 'longestWaitMs'))}`,
      ],
      ['failed batches', (v) => total(v, 'failedBatches')],
      ['rejected loads', (v) => total(v, 'rejectedLoads')],
    ],
    cache: [
      ['hit ratio', (v) => percent(v.derived.hitRatio)],
      ['entries', (v) => count(gauge(v, 'size'))],
      ['hits', (v) => perSecond(v, 'hits')],
      ['misses', (v) => perSecond(v, 'misses')],
      ['loads running', (v) => count(gauge(v, 'running'))],
      ['load errors', (v) => total(v, 'loadErrors')],
      ['evictions', (v) => total(v, 'evictions')],
    ],
    guard: [
      [
        'state',
        (v) =>
          gauge(v, 'overloaded') === 1 ? `shedding (${v.reason ?? 'overloaded'})` : 'accepting',
      ],
      ['shed', (v) => `${total(v, 'shed')} (${perSecond(v, 'shed')})`],
      ['last shed', (v) => (isNumber(v.shedAt) ? ago(v.shedAt) : 'not while watched')],
      ['loop delay', (v) => ms(gauge(v, 'lastSample.eventLoopDelayMs'))],
      ['utilization', (v) => percent(gauge(v, 'lastSample.eventLoopUtilization'))],
    ],
  }
  const kindNames = {
    limiter: 'limiter',
    pool: 'worker pool',
    queue: 'task queue',
    supervisor: 'supervisor',
    batcher: 'batcher',
    cache: 'cache',
    guard: 'overload guard',
  }

  const panels = new Map()
  const renderPrimitives = () => {
    const container = byId('panels')
    byId('primitives-empty').hidden = state.primitives.length > 0
    const shown = state.primitives.map((view) => {
      let panel = panels.get(view.id)
      if (panel === undefined) {
        const root = element('section', 'card panel')
        const heading = element('h3')
        heading.append(
          element('span', 'kind', kindNames[view.kind] ?? view.kind),
          element('span', 'name', view.name),
        )
        const bar = element('progress')
        const list = element('dl')
        const values = new Map()
        for (const [label] of panelRows[view.kind] ?? []) {
          const value = element('dd')
          list.append(element('dt', '', label), value)
          values.set(label, value)
        }
        const error = element('p', 'bad', 'stats() threw: no reading')
        const sparkline = element('canvas', 'sparkline')
        sparkline.setAttribute('aria-label', 'running and waiting over time')
        const legend = element('p', 'legend')
        legend.append(
          element('span', 'key key-1', 'running'),
          element('span', 'key key-2', 'waiting'),
        )
        root.append(heading, bar, list, error, sparkline, legend)
        panel = { root, bar, list, values, error, sparkline }
        panels.set(view.id, panel)
      }
      panel.error.hidden = view.ok
      panel.list.hidden = !view.ok
      if (view.ok) {
        for (const [label, read] of panelRows[view.kind] ?? []) {
          const node = panel.values.get(label)
          const text = read(view)
          if (node.textContent !== text) node.textContent = text
          node.className = label === 'state' ? (text === 'accepting' ? 'good' : 'bad') : ''
        }
      }
      const fill = panelFill(view)
      panel.bar.hidden = fill === undefined
      if (fill !== undefined) {
        panel.bar.max = fill[1] > 0 ? fill[1] : 1
        panel.bar.value = Math.min(fill[0], panel.bar.max)
      }
      drawSparkline(panel.sparkline, view.id)
      return panel.root
    })
    const ids = new Set(state.primitives.map((view) => view.id))
    for (const id of panels.keys()) if (!ids.has(id)) panels.delete(id)
    container.replaceChildren(...shown)
  }

  /** How full a primitive is, for its bar: borrowed of total tokens, busy of max threads. */
  const panelFill = (view) => {
    if (!view.ok) return undefined
    if (view.kind === 'limiter')
      return [gauge(view, 'borrowedTokens') ?? 0, gauge(view, 'totalTokens') ?? 0]
    if (view.kind === 'pool')
      return [gauge(view, 'busy') ?? 0, gauge(view, 'maxThreads') ?? gauge(view, 'threads') ?? 0]
    if (view.kind === 'cache' && isNumber(view.derived.hitRatio)) return [view.derived.hitRatio, 1]
    return undefined
  }

  const render = () => {
    if (state === undefined) return
    renderHeader()
    renderLoop()
    renderBlocks()
    renderRequests()
    renderProcess()
    renderPrimitives()
  }

  const receive = (text) => {
    const payload = JSON.parse(text)
    state = payload.state
    fields = {}
    state.pointFields.forEach((name, index) => {
      fields[name] = index
    })
    if (state.seq < lastSeq) {
      // The server restarted: its history starts over.
      points.length = 0
      lastSeq = -1
    }
    for (const point of payload.points) {
      if (point[0] > lastSeq) {
        points.push(point)
        lastSeq = point[0]
      }
    }
    if (points.length > maxPoints) points.splice(0, points.length - maxPoints)
    render()
  }

  // ----- connection -----------------------------------------------------------------------------

  const setMode = (mode) => {
    const badge = byId('mode')
    badge.textContent = mode
    badge.className = `badge ${mode}`
    document.body.dataset.mode = mode
  }

  const stopPolling = () => {
    clearTimeout(pollTimer)
    pollTimer = undefined
  }

  /** Polls the JSON snapshot; the next poll is scheduled only once the previous one answered. */
  const poll = async () => {
    pollTimer = undefined
    try {
      const response = await fetch(`${base}snapshot?after=${lastSeq}`, { cache: 'no-store' })
      if (!response.ok) throw new Error(`status ${response.status}`)
      receive(await response.text())
      pollDelay = state?.intervalMs ?? 1000
      if (source === undefined) setMode('polling')
    } catch {
      pollDelay = Math.min(30_000, pollDelay * 2)
      if (source === undefined) setMode('offline')
    }
    if (source === undefined && !document.hidden) pollTimer = setTimeout(poll, pollDelay)
  }

  const openStream = () => {
    clearTimeout(streamTimer)
    streamTimer = undefined
    if (source !== undefined) return
    const stream = new EventSource(`${base}events`)
    source = stream
    stream.onopen = () => {
      stopPolling()
      setMode('live')
    }
    stream.onmessage = (event) => receive(event.data)
    stream.onerror = () => {
      if (stream.readyState !== EventSource.CLOSED) {
        setMode('reconnecting')
        return
      }
      // Refused (503 past the stream limit, 403) or failed for good: poll, try the stream later.
      stream.close()
      source = undefined
      setMode('polling')
      if (pollTimer === undefined) poll()
      streamTimer = setTimeout(openStream, streamRetryMs)
    }
  }

  const pause = () => {
    source?.close()
    source = undefined
    stopPolling()
    clearTimeout(streamTimer)
    streamTimer = undefined
    setMode('paused')
  }

  // A hidden tab gives its connection back: browsers allow six per origin over HTTP/1.1.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) pause()
    else openStream()
  })
  window.addEventListener('resize', render)
  setInterval(() => {
    // Keep "x s ago" fresh while nothing arrives.
    if (state !== undefined) renderBlocks()
  }, 5000)
  openStream()
})()
