-- now: Redis's clock in milliseconds, so that nodes with skewed clocks agree on what is due
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
