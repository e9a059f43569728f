namespace DaxHolder.Scenarios.Oracle;

/// <summary>Packs a folder as a gzip-compressed newc cpio archive (the initramfs format), with the host's cpio and gzip.</summary>
internal static class Cpio
{
    public static void Pack(string folder, string archive)
    {
        var temp = archive + ".tmp";
        HostProcess.Check($"packing {archive}", "/bin/sh", ["-c", "cd \"$1\" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > \"$2\"", "sh", folder, temp]);
        File.Move(temp, archive, overwrite: true);
    }
}
