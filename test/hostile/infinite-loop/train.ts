// Hostile: never returns and never yields.
export default function train(): number[] {
  for (;;) { /* spin */ }
}
