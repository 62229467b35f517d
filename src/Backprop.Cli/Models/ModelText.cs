using System.Globalization;
using System.Text;

namespace Backprop.Cli.Models;

/// <summary>
/// Reads and writes the model file format of <c>train --model</c>: one layer per line with PyTorch's class
/// names and arguments (<c>Conv2d(1, 32, kernel_size=3)</c>), <c>#</c> comments, and residual blocks
/// written as <c>Residual(</c>, the body's lines, optionally <c>shortcut:</c> and its lines, then <c>)</c>.
/// </summary>
internal static class ModelText
{
    /// <summary>Parses <paramref name="text"/> (from <paramref name="source"/>, for messages) into its layers, or throws naming the line.</summary>
    public static IReadOnlyList<LayerSpec> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var index = 0;
        var layers = ParseBlock(lines, ref index, source, inside: false, out _);
        if (layers.Count == 0)
        {
            throw new FormatException($"{source}: no layers (write one per line, like Linear(784, 10)).");
        }

        return layers;
    }

    /// <summary>The canonical text of <paramref name="layers"/>: one per line, blocks indented by four spaces.</summary>
    public static string Format(IReadOnlyList<LayerSpec> layers)
    {
        var text = new StringBuilder();
        Write(text, layers, string.Empty);
        return text.ToString();
    }

    private static void Write(StringBuilder text, IReadOnlyList<LayerSpec> layers, string indent)
    {
        foreach (var layer in layers)
        {
            if (layer.Body is not null)
            {
                text.Append(indent).Append("Residual(\n");
                Write(text, layer.Body, indent + "    ");
                if (layer.Shortcut is not null)
                {
                    text.Append(indent).Append("shortcut:\n");
                    Write(text, layer.Shortcut, indent + "    ");
                }

                text.Append(indent).Append(")\n");
                continue;
            }

            text.Append(indent).Append(layer.Name).Append('(')
                .AppendJoin(", ", layer.Arguments.Select(a => a.Name is null ? FormatValue(a.Value) : $"{a.Name}={FormatValue(a.Value)}"))
                .Append(")\n");
        }
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => $"'{s}'",
        object[] tuple => "(" + string.Join(", ", tuple.Select(FormatValue)) + (tuple.Length == 1 ? ",)" : ")"),
        _ => value.ToString() ?? string.Empty,
    };

    private static List<LayerSpec> ParseBlock(string[] lines, ref int index, string source, bool inside, out List<LayerSpec>? shortcut)
    {
        var layers = new List<LayerSpec>();
        shortcut = null;
        var target = layers;
        for (; index < lines.Length; index++)
        {
            var line = lines[index];
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var content = (hash >= 0 ? line[..hash] : line).Trim();
            var number = index + 1;
            if (content.Length == 0)
            {
                continue;
            }

            if (content == ")")
            {
                if (!inside)
                {
                    throw new FormatException($"{source}, line {number}: ')' closes no Residual( block.");
                }

                return layers;
            }

            if (content == "shortcut:")
            {
                if (!inside || shortcut is not null)
                {
                    throw new FormatException($"{source}, line {number}: 'shortcut:' belongs inside a Residual( block, once.");
                }

                shortcut = [];
                target = shortcut;
                continue;
            }

            if (content == "Residual(")
            {
                index++;
                var body = ParseBlock(lines, ref index, source, inside: true, out var inner);
                if (body.Count == 0)
                {
                    throw new FormatException($"{source}, line {number}: the Residual( block has no layers in its body.");
                }

                target.Add(new LayerSpec("Residual", [], number, body, inner));
                continue;
            }

            target.Add(ParseLayer(content, source, number));
        }

        if (inside)
        {
            throw new FormatException($"{source}: a Residual( block is not closed by ')'.");
        }

        return layers;
    }

    private static LayerSpec ParseLayer(string content, string source, int line)
    {
        var open = content.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || content[^1] != ')')
        {
            throw new FormatException($"{source}, line {line}: '{content}' is not a layer like Conv2d(1, 32, kernel_size=3).");
        }

        var name = content[..open].Trim();
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || !char.IsAsciiLetter(name[0]))
        {
            throw new FormatException($"{source}, line {line}: '{name}' is not a layer name.");
        }

        var position = open + 1;
        var arguments = new List<LayerArgument>();
        var inner = content[position..^1];
        var pos = 0;
        SkipSpaces(inner, ref pos);
        while (pos < inner.Length)
        {
            string? key = null;
            var start = pos;
            while (pos < inner.Length && (char.IsAsciiLetterOrDigit(inner[pos]) || inner[pos] == '_'))
            {
                pos++;
            }

            var word = inner[start..pos];
            SkipSpaces(inner, ref pos);
            if (word.Length > 0 && pos < inner.Length && inner[pos] == '=' && char.IsAsciiLetter(word[0]))
            {
                key = word;
                pos++;
            }
            else
            {
                pos = start;
            }

            SkipSpaces(inner, ref pos);
            if (key is null && arguments.Any(a => a.Name is not null))
            {
                throw new FormatException($"{source}, line {line}: {name}: a positional argument follows a named one.");
            }

            arguments.Add(new LayerArgument(key, ParseValue(inner, ref pos, source, line, name)));
            SkipSpaces(inner, ref pos);
            if (pos < inner.Length)
            {
                if (inner[pos] != ',')
                {
                    throw new FormatException($"{source}, line {line}: {name}: expected ',' or ')' at '{inner[pos..]}'.");
                }

                pos++;
                SkipSpaces(inner, ref pos);
            }
        }

        return new LayerSpec(name, arguments, line);
    }

    private static object? ParseValue(string text, ref int pos, string source, int line, string layer)
    {
        if (pos >= text.Length)
        {
            throw new FormatException($"{source}, line {line}: {layer}: an argument is missing its value.");
        }

        if (text[pos] == '(' || text[pos] == '[')
        {
            var close = text[pos] == '(' ? ')' : ']';
            pos++;
            var items = new List<object?>();
            SkipSpaces(text, ref pos);
            while (pos < text.Length && text[pos] != close)
            {
                items.Add(ParseValue(text, ref pos, source, line, layer));
                SkipSpaces(text, ref pos);
                if (pos < text.Length && text[pos] == ',')
                {
                    pos++;
                    SkipSpaces(text, ref pos);
                }
            }

            if (pos >= text.Length)
            {
                throw new FormatException($"{source}, line {line}: {layer}: a tuple is not closed by '{close}'.");
            }

            pos++;
            return items.ToArray();
        }

        if (text[pos] is '\'' or '"')
        {
            var quote = text[pos];
            var end = text.IndexOf(quote, pos + 1);
            if (end < 0)
            {
                throw new FormatException($"{source}, line {line}: {layer}: a string is not closed.");
            }

            var value = text[(pos + 1)..end];
            pos = end + 1;
            return value;
        }

        var start = pos;
        while (pos < text.Length && text[pos] is not (',' or ')' or ']' or ' '))
        {
            pos++;
        }

        var token = text[start..pos];
        return token switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            _ when int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => i,
            _ when double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new FormatException($"{source}, line {line}: {layer}: '{token}' is not a number, a 'string', True, False, None or a tuple."),
        };
    }

    private static void SkipSpaces(string text, ref int pos)
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }
    }
}
