import type { ExerciseInput } from "./schema.ts";

/**
 * Declares an exercise in its exercise.ts. It only types the record: validation happens when the exercise is loaded,
 * so that a malformed file is reported with its path and field.
 */
export function defineExercise(exercise: ExerciseInput): ExerciseInput {
  return exercise;
}
