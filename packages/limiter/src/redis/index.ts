// The Redis-backed limiter (`@loopwork/limiter/redis`) lands here; ioredis stays an optional peer.
export {}
