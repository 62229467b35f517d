using System.Globalization;

namespace Backprop.Cli.Models;

/// <summary>
/// A layer line's arguments bound to the parameter names of its PyTorch class (positional ones in order,
/// then key=value), read with conversions; every mistake names the line, the layer and the argument.
/// </summary>
internal sealed class LayerArguments
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly LayerSpec _layer;

    public LayerArguments(LayerSpec layer, string[] names)
    {
        _layer = layer;
        var positional = layer.Arguments.TakeWhile(a => a.Name is null).ToList();
        if (positional.Count > names.Length)
        {
            throw Error($"takes at most {names.Length} arguments ({Signature(names)}), got {positional.Count}");
        }

        for (var i = 0; i < positional.Count; i++)
        {
            _values[names[i]] = positional[i].Value;
        }

        foreach (var argument in layer.Arguments.Skip(positional.Count))
        {
            if (!names.Contains(argument.Name))
            {
                throw Error($"has no argument '{argument.Name}' (it takes {Signature(names)})");
            }

            if (!_values.TryAdd(argument.Name!, argument.Value))
            {
                throw Error($"'{argument.Name}' is given twice");
            }
        }
    }

    /// <summary>An integer argument; required when <paramref name="fallback"/> is null.</summary>
    public int Whole(string name, int? fallback = null) => Read(name, fallback, v => v is int i ? i : (int?)null, "a whole number");

    /// <summary>A number argument.</summary>
    public double Number(string name, double fallback) => Read(name, fallback, v => v switch { int i => i, double d => d, _ => (double?)null }, "a number");

    /// <summary>A number or None.</summary>
    public double? NullableNumber(string name, double? fallback)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return value is null ? null : Number(name, 0);
    }

    /// <summary>A True/False argument.</summary>
    public bool Flag(string name, bool fallback) => Read(name, fallback, v => v is bool b ? b : (bool?)null, "True or False");

    /// <summary>A quoted string argument.</summary>
    public string Text(string name, string fallback) => ReadText(name, fallback, v => v as string, "a quoted string");

    /// <summary>A number or an (h, w) pair; required when <paramref name="fallback"/> is null.</summary>
    public Size2 Pair(string name, Size2? fallback = null) => Read(name, fallback, v => v switch
    {
        int i => new Size2(i, i),
        object?[] { Length: 2 } t when t[0] is int h && t[1] is int w => new Size2(h, w),
        _ => (Size2?)null,
    }, "a number or a pair like (3, 3)");

    /// <summary>A number or pair, or None (then null).</summary>
    public Size2? NullablePair(string name) =>
        _values.TryGetValue(name, out var value) && value is not null ? Pair(name) : null;

    /// <summary>A list of whole numbers: a number, or a tuple of them.</summary>
    public int[] Sizes(string name) => ReadSizes(name, v => v switch
    {
        int i => [i],
        object?[] t when t.All(x => x is int) => t.Cast<int>().ToArray(),
        _ => null,
    }, "a number or a tuple of numbers");

    /// <summary>A convolution's padding: a number, a pair, 'same' or 'valid'.</summary>
    public ConvPadding Padding(string name) => Read(name, ConvPadding.Valid, v => v switch
    {
        int i => ConvPadding.FromSize2(i),
        object?[] { Length: 2 } t when t[0] is int h && t[1] is int w => ConvPadding.FromSize2((h, w)),
        "same" => ConvPadding.Same,
        "valid" => ConvPadding.Valid,
        _ => (ConvPadding?)null,
    }, "a number, a pair, 'same' or 'valid'");

    /// <summary>An error naming the line and the layer.</summary>
    public FormatException Error(string message) => new($"line {_layer.Line}: {_layer.Name} {message}.");

    private T Read<T>(string name, T? fallback, Func<object?, T?> convert, string expected)
        where T : struct
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback ?? throw Error($"needs its argument '{name}'");
        }

        return convert(value) ?? throw Error($"'{name}' must be {expected}, not {Show(value)}");
    }

    private string ReadText(string name, string fallback, Func<object?, string?> convert, string expected)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return convert(value) ?? throw Error($"'{name}' must be {expected}, not {Show(value)}");
    }

    private int[] ReadSizes(string name, Func<object?, int[]?> convert, string expected)
    {
        if (!_values.TryGetValue(name, out var value))
        {
            throw Error($"needs its argument '{name}'");
        }

        return convert(value) ?? throw Error($"'{name}' must be {expected}, not {Show(value)}");
    }

    private static string Show(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        object?[] t => "(" + string.Join(", ", t.Select(Show)) + ")",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Signature(string[] names) => names.Length == 0 ? "no arguments" : string.Join(", ", names);
}
