// Hostile: exits with code 0 before returning anything.
export default function train(): number[] {
  process.exit(0);
}
