// PublicDocs ASSEMBLY DOCUMENTATION: keeps the <member> entries of the XML documentation file whose type, and
// member, a consumer of the assembly can see (public, protected, protected internal), and drops the rest. The
// compiler writes the comments of internal and private members too; a package should not ship them.
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PublicDocs ASSEMBLY DOCUMENTATION");
    return 2;
}

var (types, members) = PublicSurface(args[0]);
var doc = XDocument.Load(args[1]);
var dropped = 0;
foreach (var member in doc.Descendants("member").ToList())
{
    var id = (string?)member.Attribute("name") ?? "";
    var name = id.Length > 2 ? id[2..] : "";
    var end = name.IndexOfAny(['(', '~']);
    name = end < 0 ? name : name[..end];
    var generic = name.IndexOf("``", StringComparison.Ordinal);
    name = generic < 0 || id.StartsWith("T:", StringComparison.Ordinal) ? name : name[..generic];
    if (!(id.StartsWith("T:", StringComparison.Ordinal) ? types : members).Contains(name))
    {
        member.Remove();
        dropped++;
    }
}

if (dropped > 0)
{
    var temporary = args[1] + ".tmp";
    doc.Save(temporary);
    File.Move(temporary, args[1], overwrite: true);
}

Console.WriteLine($"PublicDocs: {Path.GetFileName(args[1])}: dropped the {dropped} members a consumer cannot see.");
return 0;

// The documentation names (T:/M:/P:/F:/E: without the prefix and the parameters) of the visible types and members.
static (HashSet<string> Types, HashSet<string> Members) PublicSurface(string assembly)
{
    using var pe = new PEReader(File.OpenRead(assembly));
    var md = pe.GetMetadataReader();
    HashSet<string> types = [], members = [];
    foreach (var handle in md.TypeDefinitions)
    {
        if (!Visible(md, handle))
        {
            continue;
        }

        var type = md.GetTypeDefinition(handle);
        var typeName = Name(md, handle);
        types.Add(typeName);
        void Add(StringHandle member) => members.Add(typeName + "." + md.GetString(member).Replace('.', '#'));
        foreach (var method in type.GetMethods().Select(md.GetMethodDefinition).Where(m => Seen(m.Attributes)))
        {
            Add(method.Name);
        }

        foreach (var field in type.GetFields().Select(md.GetFieldDefinition))
        {
            if ((field.Attributes & FieldAttributes.FieldAccessMask) is FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem)
            {
                Add(field.Name);
            }
        }

        foreach (var property in type.GetProperties().Select(md.GetPropertyDefinition))
        {
            var accessors = property.GetAccessors();
            if (SeenAccessor(md, accessors.Getter) || SeenAccessor(md, accessors.Setter))
            {
                Add(property.Name);
            }
        }

        foreach (var ev in type.GetEvents().Select(md.GetEventDefinition))
        {
            if (SeenAccessor(md, ev.GetAccessors().Adder))
            {
                Add(ev.Name);
            }
        }
    }

    return (types, members);
}

static string Name(MetadataReader md, TypeDefinitionHandle handle)
{
    var type = md.GetTypeDefinition(handle);
    var declaring = type.GetDeclaringType();
    var prefix = declaring.IsNil ? md.GetString(type.Namespace) : Name(md, declaring);
    return (prefix.Length == 0 ? "" : prefix + ".") + md.GetString(type.Name);
}

static bool Visible(MetadataReader md, TypeDefinitionHandle handle)
{
    var type = md.GetTypeDefinition(handle);
    return (type.Attributes & TypeAttributes.VisibilityMask) switch
    {
        TypeAttributes.Public => true,
        TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem => Visible(md, type.GetDeclaringType()),
        _ => false,
    };
}

static bool Seen(MethodAttributes attributes) =>
    (attributes & MethodAttributes.MemberAccessMask) is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem;

static bool SeenAccessor(MetadataReader md, MethodDefinitionHandle handle) => !handle.IsNil && Seen(md.GetMethodDefinition(handle).Attributes);
