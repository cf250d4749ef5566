"""openqi.spc: statistical process control to the NHS Making Data Count standard."""
