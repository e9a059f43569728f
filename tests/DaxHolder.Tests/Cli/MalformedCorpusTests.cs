using System.Text;
using DaxHolder.Cli;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Cli;

/// <summary>
/// Every malformed scenario (tests/DaxHolder.Tests/Malformed, README there) is refused by the CLI
/// with its one expected located error: exit 2, nothing on stdout, nothing written.
/// </summary>
public sealed class MalformedCorpusTests : IDisposable
{
    private static readonly string Corpus = Path.Combine(ScenarioHarness.RepoRoot, "tests", "DaxHolder.Tests", "Malformed");

    private readonly string scratch = Path.Combine(Path.GetTempPath(), "daxholder-malformed-" + Guid.NewGuid().ToString("N"));

    public MalformedCorpusTests() => Directory.CreateDirectory(scratch);

    public static TheoryData<string> Cases() => [.. Directory.GetFiles(Corpus, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void TheCorpus_HoldsAtLeastAHundredCases() => Cases().Count.ShouldBeGreaterThanOrEqualTo(100);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachMalformedScenario_GetsItsLocatedError(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Corpus, name));
        var text = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes.AsSpan();
        var header = Encoding.ASCII.GetString(text[..text.IndexOf((byte)'\n')]).TrimEnd();
        header.ShouldStartWith($"# expect: {name}:");
        var expectation = header["# expect: ".Length..];

        Refused(name, bytes, expectation);
    }

    [Fact]
    public void AZeroByteFile_IsRefused() =>
        Refused("zero.yaml", [], "zero.yaml:1:1: (document): no YAML document (the file is empty or only comments): a scenario is one YAML document whose top level is a mapping");

    [Fact]
    public void AFileOverFourMebibytes_IsRefusedAtTheFirstByteOverTheLimit()
    {
        var line = Encoding.ASCII.GetBytes("# " + new string('x', 1021) + "\n");
        var bytes = Enumerable.Repeat(line, 4097).SelectMany(b => b).ToArray();

        Refused("huge.yaml", bytes, "huge.yaml:4097:1: (file): the file is larger than 4,194,304 bytes (4 MiB), the most a scenario may be");
    }

    [Fact]
    public void MoreStepsThanTheLimit_AreRefusedAtTheFirstOneOver()
    {
        var yaml = new StringBuilder("name: many\nsteps:\n");
        for (var i = 0; i <= 100_000; i++)
        {
            yaml.Append("  - drop-caches:\n");
        }

        Refused("many.yaml", Encoding.ASCII.GetBytes(yaml.ToString()), "many.yaml:100003:5: steps[100000]: more than 100,000 steps");
    }

    [Fact]
    public void AStringOverTheLimitOnOneLine_IsRefused() =>
        Refused("long.yaml", Encoding.ASCII.GetBytes("name: " + new string('n', 100_000) + "\n"), "long.yaml:1:7: name: a value of 100,000 characters; the most is 4,096");

    /// <summary>run FILE and check FILE --accept both give exactly the expected line on stderr and write nothing.</summary>
    private void Refused(string name, byte[] bytes, string expectation)
    {
        var folder = Path.Combine(scratch, Path.GetFileNameWithoutExtension(name));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name);
        File.WriteAllBytes(file, bytes);
        var expected = $"daxholder: {file}{expectation[name.Length..]}{Environment.NewLine}";

        foreach (var args in new[] { new[] { "run", file }, ["check", file, "--accept"] })
        {
            var (exit, output, error) = CliRun.Run(args);

            exit.ShouldBe(ExitCodes.BadInput, $"{string.Join(' ', args)}: {error}");
            output.ShouldBeEmpty();
            error.ShouldBe(expected);
            Directory.GetFiles(folder).ShouldBe([file], "a refused scenario writes nothing");
        }
    }
}
