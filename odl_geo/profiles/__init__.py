"""Theme profiles: national schemas (hiking, water points/PEI, flood/CNIG PPR) as data + validators."""
