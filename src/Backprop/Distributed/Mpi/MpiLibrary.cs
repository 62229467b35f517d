using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Distributed.Mpi;

/// <summary>
/// A thin binding of the MPI functions Backprop calls, resolved at run time from the MPI library the process
/// finds (so that nothing loads when nobody asks for MPI). MPICH and its ABI family (Intel MPI, MVAPICH) pass
/// handles as integers with fixed values; Open MPI passes the addresses of exported globals. Every handle is
/// held as an <see cref="nint"/>, which carries either.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public const int ThreadSerialized = 2;

    /// <summary>The libraries tried, in order, when BACKPROP_MPI_LIBRARY names none: MPICH's first unless Open MPI's launcher started the process.</summary>
    private static readonly string[] MpichFirst = ["libmpich.so.12", "libmpi.so.12", "libmpi.so.40", "libmpi.so", "libmpich.dylib", "libmpi.dylib"];
    private static readonly string[] OpenMpiFirst = ["libmpi.so.40", "libmpi.so", "libmpich.so.12", "libmpi.so.12", "libmpi.dylib", "libmpich.dylib"];

    private static MpiLibrary? s_loaded;

    private MpiLibrary(nint handle, string name)
    {
        Name = name;
        IsOpenMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out var world);
        if (IsOpenMpi)
        {
            CommWorld = world;
            Byte = Export(handle, "ompi_mpi_byte");
            Int = Export(handle, "ompi_mpi_int");
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Int64 = Export(handle, "ompi_mpi_int64_t");
            OpSum = Export(handle, "ompi_mpi_op_sum");
            OpMax = Export(handle, "ompi_mpi_op_max");
            OpMin = Export(handle, "ompi_mpi_op_min");
            ErrorsReturn = Export(handle, "ompi_mpi_errors_return");
            InPlace = 1;
            StatusIgnore = null;
        }
        else
        {
            CommWorld = 0x44000000;
            Byte = 0x4c00010d;
            Int = 0x4c000405;
            Float = 0x4c00040a;
            Double = 0x4c00080b;
            Int64 = 0x4c00083a;
            OpMax = 0x58000001;
            OpMin = 0x58000002;
            OpSum = 0x58000003;
            ErrorsReturn = 0x54000001;
            InPlace = -1;
            StatusIgnore = (void*)1;
        }

        Initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(handle, "MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        CommDup = (delegate* unmanaged<nint, nint*, int>)Export(handle, "MPI_Comm_dup");
        CommFree = (delegate* unmanaged<nint*, int>)Export(handle, "MPI_Comm_free");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export(handle, "MPI_Comm_set_errhandler");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export(handle, "MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export(handle, "MPI_Ibcast");
        Iallgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int>)Export(handle, "MPI_Iallgather");
        Ibarrier = (delegate* unmanaged<nint, nint*, int>)Export(handle, "MPI_Ibarrier");
        Test = (delegate* unmanaged<nint*, int*, void*, int>)Export(handle, "MPI_Test");
        Isend = (delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int>)Export(handle, "MPI_Isend");
        Recv = (delegate* unmanaged<void*, int, nint, int, int, nint, void*, int>)Export(handle, "MPI_Recv");
        Iprobe = (delegate* unmanaged<int, int, nint, int*, void*, int>)Export(handle, "MPI_Iprobe");
        RequestFree = (delegate* unmanaged<nint*, int>)Export(handle, "MPI_Request_free");
        AbortFn = (delegate* unmanaged<nint, int, int>)Export(handle, "MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export(handle, "MPI_Error_string");
        LibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_library_version");
    }

    /// <summary>The file the library was loaded from, as found.</summary>
    public string Name { get; }

    /// <summary>Whether it is Open MPI (handles are addresses) rather than MPICH's ABI (handles are integers).</summary>
    public bool IsOpenMpi { get; }

    public nint CommWorld { get; }

    public nint Byte { get; }

    public nint Int { get; }

    public nint Float { get; }

    public nint Double { get; }

    public nint Int64 { get; }

    public nint OpSum { get; }

    public nint OpMax { get; }

    public nint OpMin { get; }

    public nint ErrorsReturn { get; }

    public nint InPlace { get; }

    public void* StatusIgnore { get; }

    public delegate* unmanaged<int*, int> Initialized { get; }

    public delegate* unmanaged<int*, int> Finalized { get; }

    public delegate* unmanaged<int*, byte***, int, int*, int> InitThread { get; }

    public delegate* unmanaged<int> Finalize { get; }

    public delegate* unmanaged<nint, int*, int> CommRank { get; }

    public delegate* unmanaged<nint, int*, int> CommSize { get; }

    public delegate* unmanaged<nint, nint*, int> CommDup { get; }

    public delegate* unmanaged<nint*, int> CommFree { get; }

    public delegate* unmanaged<nint, nint, int> CommSetErrhandler { get; }

    public delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce { get; }

    public delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast { get; }

    public delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int> Iallgather { get; }

    public delegate* unmanaged<nint, nint*, int> Ibarrier { get; }

    public delegate* unmanaged<nint*, int*, void*, int> Test { get; }

    public delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int> Isend { get; }

    public delegate* unmanaged<void*, int, nint, int, int, nint, void*, int> Recv { get; }

    public delegate* unmanaged<int, int, nint, int*, void*, int> Iprobe { get; }

    public delegate* unmanaged<nint*, int> RequestFree { get; }

    public delegate* unmanaged<nint, int, int> AbortFn { get; }

    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }

    public delegate* unmanaged<byte*, int*, int> LibraryVersion { get; }

    /// <summary>
    /// The process's MPI library, loaded on first use: BACKPROP_MPI_LIBRARY if set, else the first of the usual
    /// names that loads. Before it loads, UCX (under MPICH) is told to leave SIGSEGV to .NET, and MPICH's
    /// shared-memory all-reduce is set to its release/gather algorithm (twice as fast here for a gradient), unless
    /// the environment chose otherwise.
    /// </summary>
    public static MpiLibrary Load()
    {
        if (s_loaded is { } loaded)
        {
            return loaded;
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new CommunicatorException($"MPI: Backprop's MPI binding supports MPICH and Open MPI on Linux and macOS; this is {RuntimeInformation.OSDescription}.");
        }

        SetDefault("UCX_ERROR_SIGNALS", string.Empty);
        SetDefault("MPIR_CVAR_ALLREDUCE_POSIX_INTRA_ALGORITHM", "release_gather");
        var chosen = Environment.GetEnvironmentVariable("BACKPROP_MPI_LIBRARY");
        var candidates = !string.IsNullOrEmpty(chosen) ? [chosen]
            : !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE")) ? OpenMpiFirst : MpichFirst;
        var failures = new StringBuilder();
        foreach (var name in candidates)
        {
            if (TryOpen(name, out var handle, out var error))
            {
                return s_loaded = new MpiLibrary(handle, name);
            }

            failures.Append("\n  ").Append(name).Append(": ").Append(error);
        }

        throw new CommunicatorException(string.IsNullOrEmpty(chosen)
            ? $"MPI: no MPI library could be loaded, so --distributed cannot run. Install one: 'apt-get install mpich' (or 'apt-get install openmpi-bin'), or name the library in BACKPROP_MPI_LIBRARY. Tried:{failures}"
            : $"MPI: BACKPROP_MPI_LIBRARY names '{chosen}', which could not be loaded (unset it to find MPICH or Open MPI, installed with 'apt-get install mpich' or 'apt-get install openmpi-bin'):{failures}");
    }

    /// <summary>The library's own description, first line: "MPICH Version: 4.0.2", "Open MPI v4.1.4, …".</summary>
    public string Version()
    {
        const int Capacity = 8192;
        var buffer = stackalloc byte[Capacity];
        var length = 0;
        if (LibraryVersion(buffer, &length) != 0)
        {
            return Name;
        }

        var text = Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, Capacity)).Trim('\0', ' ', '\t', '\n');
        var firstLine = text.Split('\n')[0].Trim();
        // "MPICH Version:\t4.0.2" and "Open MPI v4.1.4, package: …" both become name and version.
        return firstLine.Replace("MPICH Version:", "MPICH", StringComparison.Ordinal).Replace('\t', ' ').Split(',')[0].Trim();
    }

    /// <summary>MPI's text for an error code.</summary>
    public string Describe(int code)
    {
        const int Capacity = 512;
        var buffer = stackalloc byte[Capacity];
        var length = 0;
        return ErrorString(code, buffer, &length) == 0 ? Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, Capacity)).TrimEnd('\0') : $"error {code}";
    }

    /// <summary>The MPI datatype of <typeparamref name="T"/>.</summary>
    public nint TypeOf<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Float;
        }

        if (typeof(T) == typeof(double))
        {
            return Double;
        }

        if (typeof(T) == typeof(long))
        {
            return Int64;
        }

        if (typeof(T) == typeof(int))
        {
            return Int;
        }

        return typeof(T) == typeof(byte) ? Byte : throw new NotSupportedException($"MPI: {typeof(T).Name} values cannot be sent; use float, double, long, int or byte.");
    }

    /// <summary>The MPI operation of <paramref name="op"/> (a mean is a sum, divided afterwards).</summary>
    public nint OpOf(ReduceOp op) => op switch
    {
        ReduceOp.Sum or ReduceOp.Mean => OpSum,
        ReduceOp.Max => OpMax,
        _ => OpMin,
    };

    private static bool TryOpen(string name, out nint handle, out string error)
    {
        // Open MPI loads its components with dlopen and needs libmpi's symbols global, as mpi4py loads it.
        handle = Dlopen(name, RtldNow | (OperatingSystem.IsMacOS() ? RtldGlobalMac : RtldGlobalLinux));
        if (handle != 0)
        {
            error = string.Empty;
            return true;
        }

        error = Marshal.PtrToStringUTF8(Dlerror()) ?? "not found";
        return false;
    }

    private static nint Export(nint handle, string symbol) =>
        NativeLibrary.TryGetExport(handle, symbol, out var address) ? address : throw new CommunicatorException($"MPI: the library has no '{symbol}'; it is not an MPI-3 library (MPICH 3.0 or later, Open MPI 1.8 or later).");

    /// <summary>Sets an environment variable in the process's native environment (which the MPI library reads), unless it is set.</summary>
    private static void SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            _ = Setenv(name, value, 0);
        }
    }

    private const int RtldNow = 2;
    private const int RtldGlobalLinux = 0x100;
    private const int RtldGlobalMac = 0x8;

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Setenv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "dlopen", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Dlopen(string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint Dlerror();
}
