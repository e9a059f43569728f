using System.CommandLine;
using DaxHolder.Scenarios.Generating;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder generate</c>: write a machine-sized scenario (YAML) for a seed; the logic is in
/// Scenarios/Generating. Bad options exit 2 naming the option; the file is written whole or not at all.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new GeneratorOptions();
        var files = Int("--files", "Files on the XFS filesystem (sources and reflink copies).", defaults.Files);
        var extents = Int("--extents", "Written extents per file, each followed by a hole (one rmap record each).", defaults.ExtentsPerFile);
        var blocks = Int("--extent-blocks", "4KiB blocks per extent.", defaults.BlocksPerExtent);
        var sharing = Fraction("--sharing", "Fraction of files that are reflink copies (FICLONE) of another file.", defaults.SharingRatio);
        var processes = Int("--processes", "Processes, spawned with pids from 1000.", defaults.Processes);
        var mappings = Int("--mappings", "MAP_SHARED mappings of a whole file per process.", defaults.MappingsPerProcess);
        var faulted = Fraction("--faulted", "Fraction of each mapping's data pages faulted in.", defaults.FaultedFraction);
        var early = Fraction("--early-kill", "Fraction of processes with prctl(PR_MCE_KILL_EARLY).", defaults.EarlyKillFraction);
        var seed = new Option<ulong>("--seed") { Description = "The seed: the same options and seed give the same file, byte for byte.", DefaultValueFactory = _ => defaults.Seed, HelpName = "N" };
        var kernel = new Option<string>("--kernel") { Description = "Kernel version profile (6.1, 6.12 or 7.2).", DefaultValueFactory = _ => defaults.Kernel, HelpName = "VERSION" };
        kernel.AcceptOnlyFromAmong([.. GeneratorOptions.Kernels]);
        var eventKind = new Option<string>("--event") { Description = "The event the scenario ends with: a machine check on the first faulted page, a device unbind, or none.", DefaultValueFactory = _ => "poison", HelpName = "poison|unbind|none" };
        eventKind.AcceptOnlyFromAmong("poison", "unbind", "none");
        var output = new Option<string?>("--output", "-o") { Description = "Write the scenario to FILE instead of standard output.", HelpName = "FILE" };

        var command = new Command("generate", "Write a machine-sized scenario (YAML): files in fragmented extents, reflink copies, processes mapping and faulting them; deterministic for a seed.");
        foreach (var option in new Option[] { files, extents, blocks, sharing, processes, mappings, faulted, early, seed, kernel, eventKind, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var options = new GeneratorOptions(
                parsed.GetValue(files), parsed.GetValue(extents), parsed.GetValue(blocks), parsed.GetValue(sharing),
                parsed.GetValue(processes), parsed.GetValue(mappings), parsed.GetValue(faulted), parsed.GetValue(early),
                parsed.GetValue(seed), parsed.GetValue(kernel)!, parsed.GetValue(eventKind) switch
                {
                    "unbind" => GeneratedEvent.Unbind,
                    "none" => GeneratedEvent.None,
                    _ => GeneratedEvent.Poison,
                });
            return Generate(options, parsed.GetValue(output), context);
        });
        return command;
    }

    private static int Generate(GeneratorOptions options, string? output, CliContext context)
    {
        if (options.Problem() is { } problem)
        {
            context.Error.WriteLine($"daxholder: generate: {problem}");
            return ExitCodes.BadInput;
        }

        var scenario = ScenarioGenerator.Generate(options).Scenario;
        if (output is null)
        {
            ScenarioWriter.Write(scenario, context.Output);
            return ExitCodes.Ok;
        }

        var full = Path.GetFullPath(output);
        var temporary = full + ".tmp";
        try
        {
            using (var writer = new StreamWriter(temporary, append: false) { NewLine = "\n" })
            {
                ScenarioWriter.Write(scenario, writer);
            }

            File.Move(temporary, full, overwrite: true);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            context.Error.WriteLine($"daxholder: generate: cannot write {output}: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static Option<int> Int(string name, string description, int value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value, HelpName = "N" };

    private static Option<double> Fraction(string name, string description, double value) =>
        new(name) { Description = $"{description} 0 to 1.", DefaultValueFactory = _ => value, HelpName = "F" };
}
