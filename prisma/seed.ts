// Demo data: an admin account and a few items it owns. Safe to run any number of times: the admin is
// upserted by email and items are only created while the admin owns none.
// Usage: npm run db:seed   (DATABASE_URL, else PGlite in PGLITE_DIR or .data/pglite)
import { loadEnv } from "../server/src/env.js";
import { openDatabase } from "../server/src/platform/db/index.js";
import { resolvePgliteDir } from "../server/src/platform/db/pglite.js";
import { argon2idHasher } from "../server/src/platform/security/password-hasher.js";

const DEMO_ITEMS = [
  { title: "Standing desk", description: "Electric, memory presets", price: "499.00" },
  { title: "Monitor arm", description: "Fits 17-32 inch screens", price: "89.90" },
  { title: "Mechanical keyboard", description: "Tenkeyless, brown switches", price: "129.00" },
  { title: "Desk lamp", description: null, price: "35.50" },
  { title: "Notebook", description: "A5, dotted", price: null },
];

async function seed(): Promise<void> {
  const env = loadEnv();
  const email = env.SEED_ADMIN_EMAIL;
  const password = env.SEED_ADMIN_PASSWORD;
  const dataDir = resolvePgliteDir(env.PGLITE_DIR);
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir, log: (line) => console.log(line) });
  try {
    const existing = await db.prisma.user.findUnique({ where: { email }, select: { id: true } });
    // An existing admin keeps its password (it may have been changed since); only the role is enforced.
    const admin = await db.prisma.user.upsert({
      where: { email },
      create: { email, name: "Admin", role: "admin", passwordHash: await argon2idHasher.hash(password) },
      update: { role: "admin" },
      select: { id: true, _count: { select: { items: true } } },
    });
    console.log(`Admin ${email}: ${existing ? "already there" : "created"}`);

    if (admin._count.items > 0) {
      console.log(`Items: the admin already owns ${admin._count.items}, none added`);
      return;
    }
    const { count } = await db.prisma.item.createMany({
      data: DEMO_ITEMS.map((item) => ({ ...item, ownerId: admin.id })),
    });
    console.log(`Items: created ${count}`);
  } finally {
    await db.close();
  }
}

seed().catch((error: unknown) => {
  console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
