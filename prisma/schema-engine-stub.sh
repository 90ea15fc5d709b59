#!/bin/sh
# Prisma's CLI wants a native schema engine it would download; this machine is offline.
# Migrations run through Prisma's WebAssembly schema engine instead: see prisma/migrate.ts.
echo "The native Prisma schema engine is not used in Trellis. Run: npm run db:migrate -- <deploy|dev NAME|status>" >&2
exit 1
