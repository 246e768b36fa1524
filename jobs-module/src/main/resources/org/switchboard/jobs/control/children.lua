-- complete.lua for jobs of flows that have parents: each acknowledged job also waits in its queue's
-- undelivered set until its parent has its outcome (deliver.lua), and the script answers their ids
local CHILDREN = true
