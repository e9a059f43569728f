using System.Text.RegularExpressions;
using CsCheck;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// Runs a property over generated scenarios with CsCheck. On a failure, CsCheck is run again from
/// the failing seed with a larger budget, so that it shrinks towards a smallest failing scenario;
/// its exception then holds that scenario as YAML (the print function) and the seed that replays
/// it (<c>CsCheck_Seed=...</c>). Iterations are sized for CI (every property in well under two
/// minutes on two cores); <c>CsCheck_Iter</c> overrides them for a longer hunt.
/// </summary>
internal static partial class PropertyCheck
{
    /// <summary>Further iterations spent shrinking a failure.</summary>
    private const int ShrinkIterations = 400;

    public static void Holds(Gen<PropScenario> gen, Action<PropScenario> property, int iterations)
    {
        try
        {
            gen.Sample(property, iter: Iterations(iterations), threads: 1, print: Print);
        }
        catch (CsCheckException first) when (SeedIn(first.Message) is { } seed)
        {
            // Sample from the failing seed with a bigger budget: CsCheck keeps the smallest failure it finds.
            gen.Sample(property, seed: seed, iter: ShrinkIterations, threads: 1, print: Print);
            throw;
        }
    }

    /// <summary>The iterations for CI, or CsCheck_Iter when set (a longer local hunt).</summary>
    public static int Iterations(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ci;

    /// <summary>An assertion message that carries the scenario, so that a failure can become a test.</summary>
    public static string Fail(PropScenario scenario, string what) => $"{what}\n--- scenario ---\n{scenario.ToYaml()}";

    private static string Print(PropScenario scenario) => "\n" + scenario.ToYaml();

    private static string? SeedIn(string message) => SeedPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("CsCheck_Seed=([^\\s\"]+)")]
    private static partial Regex SeedPattern();
}
