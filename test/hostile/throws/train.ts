// Faulty: throws inside train.
export default function train(): number[] {
  throw new Error('boom in train');
}
