using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;

namespace DaxHolder.Cli;

/// <summary>The options of the oracle commands and the model comparison they share.</summary>
internal sealed class OracleOptions
{
    public Option<string> KernelOption { get; } = new("--kernel")
    {
        Description = $"The real kernel to boot: {OracleKernel.Names} (Debian's bookworm, bookworm-backports and sid).",
        HelpName = "VERSION",
        Required = true,
    };

    public Option<string[]> Cell { get; } = new("--cell")
    {
        Description = "Pin a matrix axis (or set any field) as PATH=VALUE, e.g. --cell filesystem.mkfs.reflink=0. Repeatable; unpinned axes run one boot per value.",
        HelpName = "PATH=VALUE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<double> TimeoutSeconds { get; } = new("--timeout")
    {
        Description = "Seconds one boot may take before QEMU is stopped.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 300,
    };

    public Option<bool> Keep { get; } = new("--keep")
    {
        Description = "Keep the NVDIMM image and the initrd of each boot in the run folder.",
    };

    public Option<bool> Script { get; } = new("--script")
    {
        Description = "Print the guest case script of each cell instead of booting (nothing is downloaded or run).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(KernelOption);
        command.Options.Add(Cell);
        command.Options.Add(TimeoutSeconds);
        command.Options.Add(Keep);
    }

    public OracleKernel Kernel(ParseResult parsed, string file)
    {
        var name = parsed.GetValue(KernelOption) ?? "";
        return OracleKernel.Find(name)
            ?? throw new ScenarioException(new SourceLocation(file, 0, 0, "--kernel " + name), $"no real kernel '{name}' (known: {OracleKernel.Names})");
    }

    public IReadOnlyList<ScenarioSetting> Cells(ParseResult parsed, string file)
    {
        var settings = new List<ScenarioSetting>();
        foreach (var text in parsed.GetValue(Cell) ?? [])
        {
            try
            {
                settings.Add(ScenarioSetting.Parse(text));
            }
            catch (FormatException e)
            {
                throw new ScenarioException(new SourceLocation(file, 0, 0, "--cell " + text), e.Message);
            }
        }

        return settings;
    }

    public TimeSpan Timeout(ParseResult parsed) => TimeSpan.FromSeconds(Math.Clamp(parsed.GetValue(TimeoutSeconds), 10, 3600));
}
