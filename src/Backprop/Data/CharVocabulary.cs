using System.Globalization;
using System.Text;

namespace Backprop.Data;

/// <summary>
/// A character-level vocabulary, as nanoGPT's shakespeare_char: the distinct characters (Unicode scalar
/// values) of a text, sorted by code point, each mapped to its position. Characters outside it are
/// named in the error rather than silently dropped.
/// </summary>
public sealed class CharVocabulary
{
    private readonly string[] _symbols;
    private readonly Dictionary<string, int> _ids;

    private CharVocabulary(string[] symbols)
    {
        _symbols = symbols;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Length; i++)
        {
            if (!_ids.TryAdd(symbols[i], i))
            {
                throw new ArgumentException($"CharVocabulary: the character {Describe(symbols[i])} appears twice.", nameof(symbols));
            }
        }
    }

    /// <summary>The number of characters.</summary>
    public int Count => _symbols.Length;

    /// <summary>The characters in id order, as one string (what a model file stores).</summary>
    public string Symbols => string.Concat(_symbols);

    /// <summary>The vocabulary of every distinct character of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The vocabulary.</returns>
    public static CharVocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var set = new SortedSet<Rune>();
        foreach (var rune in text.EnumerateRunes())
        {
            set.Add(rune);
        }

        if (set.Count == 0)
        {
            throw new ArgumentException("CharVocabulary: the text is empty; a vocabulary needs at least one character.", nameof(text));
        }

        return new CharVocabulary([.. set.Select(r => r.ToString())]);
    }

    /// <summary>The vocabulary whose characters, in id order, are <paramref name="symbols"/> (as <see cref="Symbols"/> gave them).</summary>
    /// <param name="symbols">The characters.</param>
    /// <returns>The vocabulary.</returns>
    public static CharVocabulary FromSymbols(string symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new CharVocabulary([.. symbols.EnumerateRunes().Select(r => r.ToString())]);
    }

    /// <summary>The ids of a text's characters.</summary>
    /// <param name="text">The text.</param>
    /// <returns>One id per character.</returns>
    public long[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<long>(text.Length);
        var offset = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var symbol = rune.ToString();
            if (!_ids.TryGetValue(symbol, out var id))
            {
                throw new ArgumentException($"CharVocabulary: the character {Describe(symbol)} at offset {offset} is not in the vocabulary of {Count} characters.", nameof(text));
            }

            ids.Add(id);
            offset += symbol.Length;
        }

        return [.. ids];
    }

    /// <summary>The text of token ids.</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The characters they stand for.</returns>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            text.Append(Decode(id));
        }

        return text.ToString();
    }

    /// <summary>The character of one token id.</summary>
    /// <param name="id">The id.</param>
    /// <returns>Its character.</returns>
    public string Decode(long id) =>
        (ulong)id < (ulong)_symbols.Length ? _symbols[id] : throw new ArgumentOutOfRangeException(nameof(id), $"CharVocabulary: id {id} is outside the vocabulary of {Count} characters.");

    private static string Describe(string symbol) =>
        $"'{symbol.ReplaceLineEndings("\\n")}' (U+{char.ConvertToUtf32(symbol, 0).ToString("X4", CultureInfo.InvariantCulture)})";
}
