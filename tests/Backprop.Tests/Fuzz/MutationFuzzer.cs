using System.Text;

namespace Backprop.Tests.Fuzz;

/// <summary>
/// A managed mutation fuzzer for the file readers: it takes the seed files of a reader's corpus, applies one to
/// four random mutations to one of them (bit flips, bytes set to edge values, 32-bit edge integers in either
/// byte order, insertions, deletions, duplicated ranges, truncation, splices with another seed, and text
/// tokens for the text formats), writes the result to a file and hands it to the reader. A reader may accept
/// the file or refuse it with one of the allowed exception types; any other exception is an escape, kept
/// (with the input that caused it) in the result. Every choice flows from one seeded <see cref="Generator"/>.
/// </summary>
internal sealed class MutationFuzzer(IReadOnlyList<byte[]> seeds, Generator generator, bool text)
{
    private static readonly byte[] EdgeBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)',', (byte)'\n', (byte)'"', (byte)'-', (byte)'.', (byte)'e', (byte)'{', (byte)'}'];
    private static readonly uint[] EdgeInts = [0, 1, 2, 0x7F, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 784, 60000];
    private static readonly string[] Tokens = [",", "\n", "\r\n", "\"", "nan", "NaN", "inf", "-inf", "1e309", "-1e38", "0x1F", "", " ", "label", "1,2,3", "9999999999", "-0", "\u00e9", "\uFFFD"];

    /// <summary>One input that escaped: the exception and the bytes that caused it.</summary>
    public sealed record Escape(Exception Exception, byte[] Input);

    /// <summary>Runs the reader on <paramref name="maxInputs"/> mutated inputs, or until <paramref name="budget"/> passes; returns how many ran and what escaped.</summary>
    public (long Inputs, List<Escape> Escapes) Run(Action<string> reader, Func<Exception, bool> allowed, string file, TimeSpan budget, long maxInputs)
    {
        var escapes = new List<Escape>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long inputs = 0;
        while (inputs < maxInputs && watch.Elapsed < budget)
        {
            var input = Mutate();
            File.WriteAllBytes(file, input);
            try
            {
                reader(file);
            }
            catch (Exception e) when (!allowed(e))
            {
                escapes.Add(new Escape(e, input));
                if (escapes.Count >= 10)
                {
                    break;
                }
            }
            catch (Exception)
            {
                // Refused with an allowed type: what a reader should do with a bad file.
            }

            inputs++;
        }

        return (inputs, escapes);
    }

    /// <summary>A seed with one to four mutations.</summary>
    public byte[] Mutate()
    {
        var data = new List<byte>(seeds[generator.NextInt(seeds.Count)]);
        var count = 1 + generator.NextInt(4);
        for (var m = 0; m < count; m++)
        {
            MutateOnce(data);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : generator.NextInt(data.Count);
        switch (generator.NextInt(text ? 10 : 9))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << generator.NextInt(8));
                break;
            case 1 when data.Count > 0:
                data[at] = EdgeBytes[generator.NextInt(EdgeBytes.Length)];
                break;
            case 2 when data.Count >= 4:
                var value = EdgeInts[generator.NextInt(EdgeInts.Length)];
                at = Math.Min(at, data.Count - 4);
                var bigEndian = generator.NextInt(2) == 0;
                for (var i = 0; i < 4; i++)
                {
                    data[at + i] = (byte)(value >> (8 * (bigEndian ? 3 - i : i)));
                }

                break;
            case 3:
                var inserted = new byte[1 + generator.NextInt(16)];
                for (var i = 0; i < inserted.Length; i++)
                {
                    inserted[i] = (byte)generator.NextInt(256);
                }

                data.InsertRange(at, inserted);
                break;
            case 4 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + generator.NextInt(32)));
                break;
            case 5 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + generator.NextInt(64));
                data.InsertRange(generator.NextInt(data.Count), data.GetRange(at, length));
                break;
            case 6 when data.Count > 0:
                data.RemoveRange(at, data.Count - at);
                break;
            case 7:
                var other = seeds[generator.NextInt(seeds.Count)];
                var from = other.Length == 0 ? 0 : generator.NextInt(other.Length);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            case 9:
                data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[generator.NextInt(Tokens.Length)]));
                break;
            default:
                if (data.Count > 0)
                {
                    data[at] = (byte)generator.NextInt(256);
                }

                break;
        }
    }
}
