using System.CommandLine;
using System.Runtime.InteropServices;
using DaxHolder.Scenarios.Generating;
using DaxHolder.Scenarios.Language;
using Spectre.Console;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder generate</c>: write a machine-sized scenario (YAML) for a seed; the logic is in
/// Scenarios/Generating. Bad options, and sizes `run` cannot hold, exit 2 naming the option or
/// limit; the file is written whole or not at all, also when Ctrl-C or SIGTERM stops it.
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
        using var interrupted = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        return Generate(options, output, context, interrupted.Token);

        void Interrupt(PosixSignalContext signal)
        {
            signal.Cancel = true; // the writer stops between two lines and removes its temporary file
            interrupted.Cancel();
        }
    }

    /// <summary>
    /// Generates and writes the scenario: refused (exit 2, one line naming the limit) when it could
    /// break a limit `daxholder run` holds scenarios to; streamed line by line to standard output
    /// or to a temporary file beside <paramref name="output"/> that is renamed into place when
    /// complete, and removed when writing fails or <paramref name="cancel"/> fires (exit 130).
    /// </summary>
    internal static int Generate(GeneratorOptions options, string? output, CliContext context, CancellationToken cancel)
    {
        if ((options.Problem() ?? options.LimitProblem()) is { } problem)
        {
            context.Error.WriteLine($"daxholder: generate: {problem}");
            return ExitCodes.BadInput;
        }

        var scenario = ScenarioGenerator.Generate(options).Scenario;
        var bytes = ScenarioWriter.ByteCount(scenario);
        if (bytes > ScenarioLimits.FileBytes)
        {
            context.Error.WriteLine($"daxholder: generate: the scenario would be {ScenarioLimits.Count(bytes)} bytes; daxholder run reads at most {ScenarioLimits.Count(ScenarioLimits.FileBytes)} (scenarios/README.md, Limits): fewer files, processes, mappings or extents");
            return ExitCodes.BadInput;
        }

        var lines = scenario.Files.Count + scenario.Steps.Count;
        var full = output is null ? null : Path.GetFullPath(output);
        var temporary = full + ".tmp";
        var (exit, complaint) = output is null
            ? WithProgress(context, lines, line => Write(() => ScenarioWriter.Write(scenario, context.Output, line, cancel), null, output))
            : WithProgress(context, lines, line => Write(
            () =>
            {
                using (var writer = new StreamWriter(temporary, append: false) { NewLine = "\n" })
                {
                    ScenarioWriter.Write(scenario, writer, line, cancel);
                }

                File.Move(temporary, full!, overwrite: true);
            },
            temporary,
            output));
        if (complaint is not null)
        {
            context.Error.WriteLine($"daxholder: generate: {complaint}"); // after the progress bar is gone
        }

        return exit;
    }

    private static (int Exit, string? Complaint) Write(Action write, string? temporary, string? output)
    {
        try
        {
            write();
            return (ExitCodes.Ok, null);
        }
        catch (OperationCanceledException)
        {
            Remove(temporary);
            return (ExitCodes.Interrupted, $"interrupted; {(output is null ? "the output is incomplete" : $"{output} not written")}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(temporary);
            return (ExitCodes.BadInput, $"cannot write {output}: {e.Message}");
        }
    }

    private static void Remove(string? temporary)
    {
        if (temporary is not null)
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A progress bar of the lines written, on standard error and only when it is a terminal.</summary>
    private static T WithProgress<T>(CliContext context, int lines, Func<Action?, T> body)
    {
        if (!context.IsErrorTerminal || lines < 10_000)
        {
            return body(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        return console.Progress().AutoClear(true).Start(progress =>
        {
            var task = progress.AddTask("generate: writing", maxValue: lines);
            return body(() => task.Increment(1));
        });
    }

    private static Option<int> Int(string name, string description, int value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value, HelpName = "N" };

    private static Option<double> Fraction(string name, string description, double value) =>
        new(name) { Description = $"{description} 0 to 1.", DefaultValueFactory = _ => value, HelpName = "F" };
}
