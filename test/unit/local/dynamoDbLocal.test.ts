import { describe, expect, test } from "@jest/globals";
import { assertJavaInstalled, JavaMissingError, startDynamoDbLocal } from "../../../local/dynamoDbLocal.ts";

describe("startDynamoDbLocal", () => {
  test("fails with one clear sentence saying what to install when Java is missing", () => {
    const withoutJava = { ...process.env, PATH: "/nonexistent" };
    expect(() => assertJavaInstalled(withoutJava)).toThrow(JavaMissingError);
    expect(() => assertJavaInstalled(withoutJava)).toThrow(
      /^DynamoDB Local needs a Java runtime \(17 or newer\) and `java` was not found on PATH: install one, e\.g\. `apt-get install -y openjdk-17-jre-headless`\.$/,
    );
  });

  test("finds the Java this machine has", () => {
    expect(() => assertJavaInstalled()).not.toThrow();
  });

  test("rejects a relative database path, which would land inside the package folder", async () => {
    await expect(startDynamoDbLocal({ dbPath: "relative/dir" })).rejects.toThrow(/must be absolute/);
  });
});
