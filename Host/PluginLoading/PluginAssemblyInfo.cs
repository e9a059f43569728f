using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.PluginLoading;

/// <summary>
/// What a plugin assembly's metadata says, read without loading or running it: its identity,
/// the contract version it was compiled against, the assemblies it references, whether it
/// names an entry point with [assembly: DaxHolderPlugin], and the plugin name that attribute
/// declares (its <c>Name</c> property), if any.
/// </summary>
internal sealed record PluginAssemblyInfo(
    string Path,
    AssemblyName Identity,
    string? InformationalVersion,
    Version? ContractVersion,
    bool DeclaresEntryPoint,
    string? DeclaredName,
    IReadOnlyList<AssemblyName> References)
{
    /// <summary>The plugin's name: the one it declares, else its assembly's simple name (never its folder's).</summary>
    public string PluginName => DeclaredName ?? Identity.Name ?? System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The plugin's version: its informational version without build metadata, else its assembly version.</summary>
    public string PluginVersion => InformationalVersion?.Split('+')[0] ?? Identity.Version?.ToString() ?? "?";

    private static readonly string EntryAttributeName = nameof(DaxHolderPluginAttribute);
    private static readonly string EntryAttributeNamespace = typeof(DaxHolderPluginAttribute).Namespace!;

    /// <summary>Reads <paramref name="path"/>; null if the file is not a .NET assembly.</summary>
    public static PluginAssemblyInfo? TryRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return null;
            }

            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
            {
                return null;
            }

            var references = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h).GetAssemblyName()).ToList();
            var contract = references.FirstOrDefault(r => r.Name == DaxHolderContract.AssemblyName)?.Version;
            var (declares, declaredName, informational) = ReadAssemblyAttributes(md);
            return new PluginAssemblyInfo(path, md.GetAssemblyDefinition().GetAssemblyName(), informational, contract, declares, declaredName, references);
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static (bool DeclaresEntryPoint, string? DeclaredName, string? InformationalVersion) ReadAssemblyAttributes(MetadataReader md)
    {
        var declares = false;
        string? declaredName = null;
        string? informational = null;
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            var (ns, name) = AttributeTypeName(md, attribute);
            if (ns == EntryAttributeNamespace && name == EntryAttributeName)
            {
                declares = true;
                declaredName = ReadNamedString(md, attribute, nameof(DaxHolderPluginAttribute.Name));
            }
            else if (ns == "System.Reflection" && name == nameof(AssemblyInformationalVersionAttribute))
            {
                informational = ReadSingleStringArgument(md, attribute);
            }
        }

        return (declares, declaredName, informational);
    }

    private static (string Namespace, string Name) AttributeTypeName(MetadataReader md, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
        {
            var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference)
            {
                var type = md.GetTypeReference((TypeReferenceHandle)parent);
                return (md.GetString(type.Namespace), md.GetString(type.Name));
            }
        }
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
        {
            var type = md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            return (md.GetString(type.Namespace), md.GetString(type.Name));
        }

        return ("", "");
    }

    /// <summary>The string argument of an attribute whose constructor takes one string (prolog 0x0001, then a SerString).</summary>
    private static string? ReadSingleStringArgument(MetadataReader md, CustomAttribute attribute)
    {
        var blob = md.GetBlobReader(attribute.Value);
        return blob.Length >= 2 && blob.ReadUInt16() == 1 ? blob.ReadSerializedString() : null;
    }

    /// <summary>
    /// A string-valued named argument of [assembly: DaxHolderPlugin(typeof(X), Name = "...")]:
    /// after the prolog comes the one fixed argument (a type, written as a SerString), then the
    /// count of named arguments and each as kind, element type, name and value (ECMA-335 II.23.3).
    /// </summary>
    private static string? ReadNamedString(MetadataReader md, CustomAttribute attribute, string wanted)
    {
        var blob = md.GetBlobReader(attribute.Value);
        if (blob.Length < 2 || blob.ReadUInt16() != 1)
        {
            return null;
        }

        _ = blob.ReadSerializedString(); // the entry-point type
        if (blob.RemainingBytes < 2)
        {
            return null;
        }

        var count = blob.ReadUInt16();
        for (var i = 0; i < count; i++)
        {
            _ = blob.ReadByte(); // FIELD (0x53) or PROPERTY (0x54)
            if (blob.ReadByte() != (byte)SerializationTypeCode.String)
            {
                return null; // only string named arguments are declared by the contract
            }

            var name = blob.ReadSerializedString();
            var value = blob.ReadSerializedString();
            if (name == wanted)
            {
                return value;
            }
        }

        return null;
    }
}
