namespace Backprop;

/// <summary>A data or model file that cannot be read: the message names the file, the byte offset and what was expected there.</summary>
public sealed class DataFileException : IOException
{
    /// <summary>Makes the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">The byte offset of the problem (in the decompressed stream for gzip files), or −1.</param>
    /// <param name="problem">What was expected and what was found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DataFileException(string path, long offset, string problem, Exception? inner = null)
        : base(offset >= 0 ? $"{path}: at byte {offset}: {problem}" : $"{path}: {problem}", inner)
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the problem, or −1 when it concerns the whole file.</summary>
    public long Offset { get; }
}
