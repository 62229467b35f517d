using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Backprop.NN;

namespace Backprop.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length, a JSON header (name → dtype, shape, data_offsets; optional
/// __metadata__ of strings), then the raw little-endian data.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderLength = 100_000_000;

    /// <summary>Writes tensors, with optional metadata, atomically; each tensor is stored in its own dtype (F32, F64, I64, BOOL) unless <paramref name="dtype"/> says otherwise.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="tensors">The tensors by name.</param>
    /// <param name="metadata">String pairs stored under __metadata__.</param>
    /// <param name="dtype">The stored type of the floating-point tensors: F32, F64, F16 or BF16 (rounded to nearest even); null keeps each tensor's own. Int64 and bool tensors are always stored as I64 and BOOL.</param>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null, string? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (dtype is not (null or "F32" or "F64" or "F16" or "BF16"))
        {
            throw new ArgumentException($"Safetensors.Save: dtype '{dtype}' is not one of F32, F64, F16, BF16 (or null, each tensor's own).", nameof(dtype));
        }

        var list = tensors.Select(pair => (pair.Key, pair.Value, Stored: StoredDtype(pair.Value.DType, dtype))).ToList();
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor, stored) in list)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", stored);
                json.WriteStartArray("shape");
                foreach (var d in tensor.Dims)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Numel * (long)DtypeSize(path, name, stored);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        AtomicFile.Write(path, stream =>
        {
            Span<byte> scratch = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(scratch, (ulong)header.Length);
            stream.Write(scratch);
            header.Position = 0;
            header.CopyTo(stream);
            foreach (var (_, tensor, stored) in list)
            {
                WriteData(stream, tensor, stored, scratch);
            }
        });
    }

    /// <summary>
    /// Reads a safetensors file; every header field is validated. F32 and F64 tensors keep their type, F16 and
    /// BF16 become float32, the integer types (I8, U8, I16, I32, I64) become int64, and BOOL becomes bool.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors, their original dtypes and the metadata.</returns>
    public static SafetensorsFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new DataFileException(path, 0, $"expected an 8-byte header length, but the file has only {bytes.Length} bytes.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderLength || headerLength > (ulong)(bytes.Length - 8))
        {
            throw new DataFileException(path, 0, $"the header length {headerLength} is larger than the {bytes.Length - 8} bytes that follow it (or the 100 MB limit).");
        }

        var dataStart = 8 + (int)headerLength;
        var dataLength = bytes.Length - dataStart;
        var header = bytes.AsSpan(8, (int)headerLength);
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            System.Text.Unicode.Utf8.ToUtf16(header, new char[header.Length], out var valid, out _, replaceInvalidSequences: false);
            throw new DataFileException(path, 8 + valid, "expected the JSON header to be UTF-8 text, but this byte is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException ex)
        {
            throw new DataFileException(path, 8, "expected a JSON header: " + ex.Message, ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DataFileException(path, 8, "expected the header to be a JSON object.");
            }

            var tensors = new StateDict();
            var dtypes = new Dictionary<string, string>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var ranges = new List<(long Begin, long End, string Name)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                if (tensors.ContainsKey(property.Name))
                {
                    throw new DataFileException(path, 8, $"the tensor '{property.Name}' appears twice in the header.");
                }

                var (dtype, shape, begin, end) = ReadEntry(path, property);
                var count = 1L;
                foreach (var d in shape)
                {
                    count *= d;
                }

                var size = DtypeSize(path, property.Name, dtype);
                if (begin < 0 || end < begin || end > dataLength)
                {
                    throw new DataFileException(path, dataStart + Math.Max(0, begin), $"tensor '{property.Name}': data_offsets [{begin}, {end}] fall outside the {dataLength}-byte data section.");
                }

                if (end - begin != count * size)
                {
                    throw new DataFileException(path, dataStart + begin, $"tensor '{property.Name}': {dtype} {Kernels.Shapes.Format(shape)} needs {count * size} bytes but data_offsets [{begin}, {end}] give {end - begin}.");
                }

                ranges.Add((begin, end, property.Name));
                tensors[property.Name] = Decode(path, dataStart + begin, bytes.AsSpan(dataStart + (int)begin, (int)(end - begin)), dtype, (int)count, shape);
                dtypes[property.Name] = dtype;
            }

            // As the format's reference reader: the tensors cover the data section exactly, with no gap, overlap or
            // trailing byte (bytes inserted in the data would otherwise shift every later tensor unnoticed).
            ranges.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long covered = 0;
            for (var i = 0; i < ranges.Count; i++)
            {
                if (ranges[i].Begin < covered)
                {
                    throw new DataFileException(path, dataStart + ranges[i].Begin, $"tensors '{ranges[i - 1].Name}' and '{ranges[i].Name}' overlap.");
                }

                if (ranges[i].Begin > covered)
                {
                    throw new DataFileException(path, dataStart + covered, $"{ranges[i].Begin - covered} bytes of the data section belong to no tensor (before '{ranges[i].Name}').");
                }

                covered = ranges[i].End;
            }

            if (covered != dataLength)
            {
                throw new DataFileException(path, dataStart + covered, $"{dataLength - covered} bytes follow the last tensor; the tensors must cover the data section exactly.");
            }

            return new SafetensorsFile(tensors, dtypes, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DataFileException(path, 8, "expected __metadata__ to be an object of strings.");
        }

        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new DataFileException(path, 8, $"__metadata__ value '{entry.Name}' is not a string.");
            }

            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static (string Dtype, int[] Shape, long Begin, long End) ReadEntry(string path, JsonProperty property)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new DataFileException(path, 8, $"tensor '{property.Name}': expected an object with dtype, shape and two data_offsets.");
        }

        var dims = new int[shape.GetArrayLength()];
        var i = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dims[i]) || dims[i] < 0)
            {
                throw new DataFileException(path, 8, $"tensor '{property.Name}': shape entries must be non-negative integers.");
            }

            i++;
        }

        long begin = 0, end = 0;
        if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out begin) || !offsets[1].TryGetInt64(out end))
        {
            throw new DataFileException(path, 8, $"tensor '{property.Name}': data_offsets must be integers.");
        }

        return (dtype.GetString()!, dims, begin, end);
    }

    private static int DtypeSize(string path, string name, string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new DataFileException(path, 8, $"tensor '{name}': dtype '{dtype}' is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL are)."),
    };

    /// <summary>The file dtype of a tensor: its own, or <paramref name="floats"/> for a floating-point tensor when given.</summary>
    private static string StoredDtype(DType own, string? floats) => own switch
    {
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        DType.Float64 => floats ?? "F64",
        _ => floats ?? "F32",
    };

    private static void WriteData(Stream stream, Tensor tensor, string stored, Span<byte> scratch)
    {
        switch (stored)
        {
            case "F32" when tensor.DType == DType.Float32 && BitConverter.IsLittleEndian:
                stream.Write(MemoryMarshal.AsBytes(tensor.Span));
                return;
            case "I64" when BitConverter.IsLittleEndian:
                stream.Write(MemoryMarshal.AsBytes(tensor.AsSpan<long>()));
                return;
            case "BOOL":
                foreach (var b in tensor.AsSpan<bool>())
                {
                    stream.WriteByte(b ? (byte)1 : (byte)0);
                }

                return;
        }

        for (var i = 0; i < tensor.Numel; i++)
        {
            var v = tensor.ElementAsDouble(i);
            switch (stored)
            {
                case "F64":
                    BinaryPrimitives.WriteDoubleLittleEndian(scratch, v);
                    stream.Write(scratch[..8]);
                    break;
                case "F32":
                    BinaryPrimitives.WriteSingleLittleEndian(scratch, (float)v);
                    stream.Write(scratch[..4]);
                    break;
                case "I64":
                    BinaryPrimitives.WriteInt64LittleEndian(scratch, tensor.AsSpan<long>()[i]);
                    stream.Write(scratch[..8]);
                    break;
                case "F16":
                    BinaryPrimitives.WriteHalfLittleEndian(scratch, (Half)v);
                    stream.Write(scratch[..2]);
                    break;
                default:
                    // BF16: the upper half of the float, rounded to nearest even; NaN stays a (quiet) NaN.
                    var f = (float)v;
                    var bits = (uint)BitConverter.SingleToInt32Bits(f);
                    var rounded = float.IsNaN(f) ? 0x7FC0u : (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
                    BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)rounded);
                    stream.Write(scratch[..2]);
                    break;
            }
        }
    }

    /// <summary>The tensor stored in <paramref name="raw"/>; a BOOL byte other than 0 or 1 is refused with its offset.</summary>
    private static Tensor Decode(string path, long offset, ReadOnlySpan<byte> raw, string dtype, int count, int[] shape)
    {
        switch (dtype)
        {
            case "F64":
                var doubles = new double[count];
                for (var i = 0; i < count; i++)
                {
                    doubles[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
                }

                return Tensor.Wrap(doubles, shape);
            case "BOOL":
                var bools = new bool[count];
                for (var i = 0; i < count; i++)
                {
                    bools[i] = raw[i] switch
                    {
                        0 => false,
                        1 => true,
                        _ => throw new DataFileException(path, offset + i, $"a BOOL element must be the byte 0 or 1, but it is {raw[i]}."),
                    };
                }

                return Tensor.Wrap(bools, shape);
            case "I64" or "I32" or "I16" or "I8" or "U8":
                var longs = new long[count];
                for (var i = 0; i < count; i++)
                {
                    longs[i] = dtype switch
                    {
                        "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]),
                        "I32" => BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]),
                        "I16" => BinaryPrimitives.ReadInt16LittleEndian(raw[(i * 2)..]),
                        "I8" => (sbyte)raw[i],
                        _ => raw[i],
                    };
                }

                return Tensor.Wrap(longs, shape);
        }

        var floats = new float[count];
        for (var i = 0; i < count; i++)
        {
            floats[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) << 16),
            };
        }

        return Tensor.Wrap(floats, shape);
    }
}
