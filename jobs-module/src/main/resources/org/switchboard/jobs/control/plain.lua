local CHILDREN = false -- complete.lua for jobs without a parent: see children.lua
