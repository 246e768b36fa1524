-- emit(stream, field, value, ...): appends a job event to its queue's event stream, one entry for
-- every job a script moved together (a fetch's or an acknowledgement's batch: their ids comma-separated
-- in 'ids'), so that a batch costs Redis one more command, not one per job. The stream keeps about
-- the last 10,000 entries (MAXLEN ~); trim.lua drops those older than an hour.
local function emit(stream, ...)
  redis.call('XADD', stream, 'MAXLEN', '~', 10000, '*', ...)
end
