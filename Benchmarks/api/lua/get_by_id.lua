-- GET /api/1/composes/<id> with ids drawn uniformly from 1..$BENCH_MAX_ID (all exist).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "100000")

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("GET", "/api/1/composes/" .. math.random(1, max_id))
end

done = common.done("get_by_id")
