using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>What one boot printed, and how long it took.</summary>
internal sealed record BootResult(string Console, double Seconds, bool TimedOut, string ConsoleFile);

/// <summary>
/// Boots a <see cref="BootImage"/> under QEMU (TCG: no KVM is assumed) with an emulated NVDIMM
/// backed by a sparse file of the scenario's device size (label-less, so namespace0.0 spans it;
/// ndctl turns it into an fsdax namespace in the guest), the case appended to the initramfs as a
/// second archive. The console goes to <c>console.log</c> in the run folder. Once the guest
/// printed "ORACLE: done" it gets 5 s to power off before QEMU is stopped.
/// </summary>
internal sealed class QemuRunner(TextWriter progress)
{
    /// <summary>
    /// TCG's "max" CPU with Intel's vendor string: with QEMU's default AMD identity an
    /// uncorrected machine check has no recovery (arch/x86/kernel/cpu/mce/severity.c: without
    /// SUCCOR every UC error is "Uncorrected error without MCA Recovery", a panic); Intel's
    /// grading with MCG_SER_P takes an action-optional error to memory_failure().
    /// </summary>
    public const string Cpu = "max,vendor=GenuineIntel";

    public BootResult Boot(BootImage image, string caseScript, ulong deviceSize, string runDir, TimeSpan timeout, bool keep)
    {
        ArgumentNullException.ThrowIfNull(image);
        var extra = Path.Combine(runDir, "extra");
        Directory.CreateDirectory(Path.Combine(extra, "oracle"));
        ImageBuilder.WriteExecutable(Path.Combine(extra, "oracle", "case.sh"), caseScript);
        var extraArchive = Path.Combine(runDir, "case.cpio.gz");
        Cpio.Pack(extra, extraArchive);
        var initrd = Path.Combine(runDir, "initrd.gz");
        using (var output = File.Create(initrd))
        {
            foreach (var part in new[] { image.Initramfs, extraArchive })
            {
                using var input = File.OpenRead(part);
                input.CopyTo(output);
            }
        }

        var nvdimm = Path.Combine(runDir, "nvdimm.img");
        using (var file = File.Create(nvdimm))
        {
            file.SetLength((long)deviceSize);
        }

        var sizeMiB = (deviceSize + (1UL << 20) - 1) >> 20;
        var maxMiB = 2048 + sizeMiB + 1024;
        var args = new List<string>
        {
            "-accel", "tcg,thread=multi", "-cpu", Cpu, "-machine", "pc,nvdimm=on", "-smp", "2",
            "-m", FormattableString.Invariant($"2G,slots=2,maxmem={maxMiB}M"),
            "-object", FormattableString.Invariant($"memory-backend-file,id=mem1,share=on,mem-path={nvdimm},size={sizeMiB}M,align=2M"),
            "-device", "nvdimm,id=nv1,memdev=mem1",
            "-nographic", "-no-reboot", "-kernel", image.Vmlinuz, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet loglevel=1 rdinit=/init",
        };
        // A Unix socket path holds at most 107 bytes (sun_path), and a run folder named after a
        // long scenario cell exceeds it: the monitor's socket lives in a short folder of its own.
        var monitorDir = Directory.CreateTempSubdirectory("dxq");
        var monitor = Path.Combine(monitorDir.FullName, "m.sock");
        args.AddRange(["-monitor", $"unix:{monitor},server,nowait"]);
        var consoleFile = Path.Combine(runDir, "console.log");
        progress.WriteLine($"oracle: booting {image.Kernel.Name} ({image.Release}) under QEMU; console: {consoleFile}");
        var info = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var console = new StringBuilder();
        var doneAt = (DateTime?)null;
        var watch = Stopwatch.StartNew();
        var timedOut = false;
        using (var log = new StreamWriter(consoleFile))
        using (var qemu = Process.Start(info) ?? throw new OracleException("cannot start qemu-system-x86_64"))
        {
            var gate = new object();
            qemu.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (gate)
                {
                    console.Append(e.Data).Append('\n');
                    log.WriteLine(e.Data);
                    if (doneAt is null && e.Data.StartsWith("ORACLE: done", StringComparison.Ordinal))
                    {
                        doneAt = DateTime.UtcNow;
                    }

                    if (e.Data.StartsWith(QemuMonitor.Request, StringComparison.Ordinal))
                    {
                        var reply = QemuMonitor.Send(monitor, e.Data[QemuMonitor.Request.Length..].Trim());
                        log.WriteLine($"ORACLE-HOST: monitor: {reply}");
                        console.Append("ORACLE-HOST: monitor: ").Append(reply).Append('\n');
                    }
                }
            };
            qemu.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (gate)
                    {
                        log.WriteLine("qemu: " + e.Data);
                        console.Append("qemu: ").Append(e.Data).Append('\n');
                    }
                }
            };
            qemu.BeginOutputReadLine();
            qemu.BeginErrorReadLine();
            qemu.StandardInput.Close();
            while (!qemu.WaitForExit(500))
            {
                DateTime? done;
                lock (gate)
                {
                    done = doneAt;
                }

                if ((done is { } d && DateTime.UtcNow - d > TimeSpan.FromSeconds(5)) || watch.Elapsed > timeout)
                {
                    timedOut = done is null;
                    qemu.Kill(entireProcessTree: true);
                    qemu.WaitForExit();
                    break;
                }
            }

            qemu.WaitForExit();
        }

        watch.Stop();
        monitorDir.Delete(recursive: true);
        if (!keep)
        {
            File.Delete(nvdimm);
            File.Delete(initrd);
        }

        var seconds = Math.Round(watch.Elapsed.TotalSeconds, 1);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"oracle: boot finished in {seconds} s{(timedOut ? " (timed out)" : "")}"));
        return new BootResult(console.ToString(), seconds, timedOut, consoleFile);
    }
}
