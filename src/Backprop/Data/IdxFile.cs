using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Data;

/// <summary>
/// An IDX file (the MNIST format): a big-endian magic 0x0000TTNN (TT the element type, NN the number of
/// dimensions), one big-endian int32 per dimension, then the elements, row-major. Plain or gzip.
/// </summary>
public sealed class IdxFile
{
    private const byte UnsignedByte = 0x08;

    private IdxFile(int[] dims, ReadOnlyMemory<byte> data)
    {
        Dims = dims;
        Data = data;
    }

    /// <summary>The size of each dimension.</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>The elements (unsigned bytes), row-major.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Reads and validates an IDX file of unsigned bytes, decompressing it when it is gzip.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The file's dimensions and data.</returns>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            bytes = Gunzip(path, bytes);
        }

        if (bytes.Length < 4)
        {
            throw new DataFileException(path, 0, $"expected a 4-byte IDX magic number, found only {bytes.Length} bytes.");
        }

        if (bytes[0] != 0 || bytes[1] != 0)
        {
            throw new DataFileException(path, 0, $"expected an IDX magic number starting 00 00, found {bytes[0]:x2} {bytes[1]:x2}: not an IDX file.");
        }

        if (bytes[2] != UnsignedByte)
        {
            throw new DataFileException(path, 2, $"expected element type 0x08 (unsigned byte), found 0x{bytes[2]:x2}.");
        }

        int rank = bytes[3];
        if (rank is < 1 or > 4)
        {
            throw new DataFileException(path, 3, $"expected 1 to 4 dimensions, found {rank}.");
        }

        var headerLength = 4 + (4 * rank);
        if (bytes.Length < headerLength)
        {
            throw new DataFileException(path, bytes.Length, $"the header needs {headerLength} bytes for {rank} dimensions, but the file ends after {bytes.Length}.");
        }

        var dims = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * i)));
            if (dims[i] < 0)
            {
                throw new DataFileException(path, 4 + (4 * i), $"dimension {i} is negative ({dims[i]}).");
            }

            if (dims[i] != 0 && count > int.MaxValue / dims[i])
            {
                throw new DataFileException(path, 4 + (4 * i), $"dimensions [{string.Join(',', dims[..(i + 1)])}…] hold more than {int.MaxValue} elements.");
            }

            count *= dims[i];
        }

        var available = bytes.Length - headerLength;
        if (available != count)
        {
            var what = available < count ? "truncated" : "has trailing bytes";
            throw new DataFileException(path, headerLength, $"the file {what}: dimensions [{string.Join(',', dims)}] need {count} bytes of data, found {available}.");
        }

        return new IdxFile(dims, bytes.AsMemory(headerLength));
    }

    private static byte[] Gunzip(string path, byte[] compressed)
    {
        try
        {
            // The gzip trailer holds the uncompressed size (mod 2^32): when it is plausible (deflate expands
            // at most about 1032 times), decompress straight into an array of that size.
            long expected = compressed.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4)) : -1;
            using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            if (expected < 0 || expected > 1032L * compressed.Length || expected > Array.MaxLength)
            {
                using var output = new MemoryStream();
                input.CopyTo(output);
                return output.ToArray();
            }

            var result = new byte[expected];
            var read = 0;
            int n;
            while (read < result.Length && (n = input.Read(result, read, result.Length - read)) > 0)
            {
                read += n;
            }

            if (read < result.Length || input.ReadByte() >= 0)
            {
                throw new DataFileException(path, -1, $"the gzip stream does not hold the {expected} bytes its trailer announces: it is corrupt or truncated.");
            }

            return result;
        }
        catch (InvalidDataException ex)
        {
            throw new DataFileException(path, -1, "expected a valid gzip stream, but it is corrupt or truncated: " + ex.Message, ex);
        }
    }
}
