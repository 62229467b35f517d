namespace Backprop.Distributed;

/// <summary>A collective operation failed: another rank stopped answering, or the MPI library reported an error.</summary>
public sealed class CommunicatorException : Exception
{
    /// <summary>Makes the exception.</summary>
    public CommunicatorException()
    {
    }

    /// <summary>Makes the exception with a message.</summary>
    /// <param name="message">What failed, naming the operation and the ranks.</param>
    public CommunicatorException(string message)
        : base(message)
    {
    }

    /// <summary>Makes the exception with a message and its cause.</summary>
    /// <param name="message">What failed, naming the operation and the ranks.</param>
    /// <param name="innerException">The cause.</param>
    public CommunicatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Makes the exception naming the ranks that stopped answering.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="lostRanks">The ranks that did not answer.</param>
    public CommunicatorException(string message, IReadOnlyList<int> lostRanks)
        : base(message) => LostRanks = lostRanks;

    private CommunicatorException(string message, IReadOnlyList<int> lostRanks, Exception innerException)
        : base(message, innerException) => LostRanks = lostRanks;

    /// <summary>The same failure with where it happened in front of its message, keeping the lost ranks.</summary>
    /// <param name="where">Where, for people: "epoch 2, batch 17".</param>
    /// <param name="inner">The failure.</param>
    /// <returns>The new exception.</returns>
    public static CommunicatorException At(string where, CommunicatorException inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new CommunicatorException($"{where}: {inner.Message}", inner.LostRanks, inner);
    }

    /// <summary>The ranks that stopped answering, when a timeout found them; empty otherwise.</summary>
    public IReadOnlyList<int> LostRanks { get; } = [];
}
