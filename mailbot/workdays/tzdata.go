package workdays

// Embed the time zone database so Europe/London is known on a machine
// without /usr/share/zoneinfo (a minimal container, say).
import _ "time/tzdata"
