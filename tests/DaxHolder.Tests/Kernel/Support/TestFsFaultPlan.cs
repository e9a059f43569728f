namespace DaxHolder.Tests.Kernel.Support;

/// <summary>The test assembly's plan: no fault. A fixture plugin compiles its own plan instead of this file.</summary>
internal static class TestFsFaultPlan
{
    public static string? Stage => null;

    public static bool Hang => false;
}
