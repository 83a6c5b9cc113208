<#
  emoguard host artifact collector (bundle schema 1).

  Collects, read-only, what `emoguard hostcheck --bundle FILE` needs to run the checks of
  JPCERT/CC EmoCheck v1-v5 and the generic persistence check on another machine:
  host and user names, the C: volume serial, running processes (PID, path, command line),
  Run/RunOnce and Explorer registry values, services, scheduled-task actions, the folders
  and files one level below %LOCALAPPDATA% and SysWOW64 (name, size, last-write time,
  whether the file is a PE), the sizes of System32 .exe/.dll files and the folder names
  under AppData\Roaming and Program Files. Nothing is changed, deleted, uploaded or run.

  Usage (PowerShell 5.1 or later; as the user who reads mail, and again as
  administrator to see services and SysWOW64 completely):
      powershell -NoProfile -ExecutionPolicy Bypass -File collect.ps1 [-Output FILE]
  Then copy the JSON file to the machine with emoguard:
      emoguard hostcheck --bundle FILE
#>
param(
    [string]$Output = ""
)

$ErrorActionPreference = "Continue"
$errors = New-Object System.Collections.ArrayList

function Note([string]$what) { [void]$errors.Add($what) }

function Test-PE([string]$path) {
    try {
        $fs = [System.IO.File]::Open($path, 'Open', 'Read', 'ReadWrite, Delete')
        try {
            $buf = New-Object byte[] 1024
            $n = $fs.Read($buf, 0, 1024)
            if ($n -lt 64 -or $buf[0] -ne 0x4D -or $buf[1] -ne 0x5A) { return $false }
            $off = [BitConverter]::ToInt32($buf, 0x3C)
            if ($off -gt 0 -and $off + 4 -le $n) {
                return ($buf[$off] -eq 0x50 -and $buf[$off + 1] -eq 0x45 -and $buf[$off + 2] -eq 0 -and $buf[$off + 3] -eq 0)
            }
            if ($off -gt 0) {
                [void]$fs.Seek($off, 'Begin')
                $sig = New-Object byte[] 4
                if ($fs.Read($sig, 0, 4) -eq 4) {
                    return ($sig[0] -eq 0x50 -and $sig[1] -eq 0x45 -and $sig[2] -eq 0 -and $sig[3] -eq 0)
                }
            }
            return $false
        } finally { $fs.Dispose() }
    } catch { return $false }
}

function Read-Values([string]$hive, [string]$sub) {
    $root = if ($hive -eq "HKCU") { [Microsoft.Win32.Registry]::CurrentUser } else { [Microsoft.Win32.Registry]::LocalMachine }
    $out = @()
    try {
        $k = $root.OpenSubKey($sub, $false)
        if ($null -eq $k) { return $out }
        foreach ($name in $k.GetValueNames()) {
            $kind = $k.GetValueKind($name)
            $val = $k.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
            $entry = [ordered]@{ key = "$hive\$sub"; name = $name; type = "$kind" }
            if ($kind -eq 'Binary' -and $null -ne $val) {
                $entry.data_hex = (($val | ForEach-Object { $_.ToString("x2") }) -join "")
            } elseif ($val -is [array]) {
                $entry.data = ($val -join "`n")
            } else {
                $entry.data = "$val"
            }
            $out += $entry
        }
        $k.Close()
    } catch { Note "registry $hive\$sub : $($_.Exception.Message)" }
    return $out
}

$isAdmin = $false
try {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    $isAdmin = (New-Object Security.Principal.WindowsPrincipal $id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
} catch { Note "admin check: $($_.Exception.Message)" }

$sys32 = [Environment]::SystemDirectory
$wow = Join-Path $env:WINDIR "SysWOW64"
$paths = [ordered]@{
    LOCALAPPDATA = $env:LOCALAPPDATA
    APPDATA = $env:APPDATA
    ProgramData = $env:ProgramData
    TEMP = $env:TEMP
    ProgramFiles = $env:ProgramFiles
    "ProgramFiles(x86)" = ${env:ProgramFiles(x86)}
    System32 = $sys32
}
if ([Environment]::Is64BitOperatingSystem -and (Test-Path -LiteralPath $wow)) { $paths.SysWOW64 = $wow }

$serial = $null
try {
    $disk = Get-CimInstance -ClassName Win32_LogicalDisk -Filter "DeviceID='C:'"
    $serial = $disk.VolumeSerialNumber
} catch { Note "volume serial: $($_.Exception.Message)" }

$processes = @()
try {
    foreach ($p in Get-CimInstance -ClassName Win32_Process) {
        $processes += [ordered]@{ pid = [int]$p.ProcessId; ppid = [int]$p.ParentProcessId; name = $p.Name;
                                  path = $p.ExecutablePath; command_line = $p.CommandLine }
    }
} catch { Note "processes: $($_.Exception.Message)" }

$registry = @()
foreach ($spec in @(
        @("HKCU", "Software\Microsoft\Windows\CurrentVersion\Run"),
        @("HKCU", "Software\Microsoft\Windows\CurrentVersion\RunOnce"),
        @("HKLM", "Software\Microsoft\Windows\CurrentVersion\Run"),
        @("HKLM", "Software\Microsoft\Windows\CurrentVersion\RunOnce"),
        @("HKLM", "Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Run"),
        @("HKCU", "Software\Microsoft\Windows\CurrentVersion\Explorer"),
        @("HKLM", "Software\Microsoft\Windows\CurrentVersion\Explorer"),
        @("HKLM", "Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Explorer"))) {
    $registry += @(Read-Values $spec[0] $spec[1])
}

$services = @()
try {
    foreach ($s in Get-CimInstance -ClassName Win32_Service) {
        $services += [ordered]@{ name = $s.Name; display_name = $s.DisplayName; binary_path = $s.PathName;
                                 state = $s.State; start_mode = $s.StartMode }
    }
} catch { Note "services: $($_.Exception.Message)" }

$tasks = @()
try {
    foreach ($t in Get-ScheduledTask -ErrorAction Stop) {
        foreach ($a in $t.Actions) {
            if ($a.Execute) {
                $tasks += [ordered]@{ name = "$($t.TaskPath)$($t.TaskName)"; execute = $a.Execute; arguments = "$($a.Arguments)" }
            }
        }
    }
} catch { Note "scheduled tasks: $($_.Exception.Message)" }

$dirs = @()
$files = @()
$roots = @($paths.LOCALAPPDATA)
if ($paths.Contains("SysWOW64")) { $roots += $paths.SysWOW64 } else { $roots += $sys32 }
foreach ($root in $roots) {
    if (-not $root -or -not (Test-Path -LiteralPath $root)) { continue }
    foreach ($d in Get-ChildItem -LiteralPath $root -Directory -Force -ErrorAction SilentlyContinue) {
        $dirs += [ordered]@{ path = $d.FullName; mtime_ft = $d.LastWriteTimeUtc.ToFileTimeUtc() }
        foreach ($f in Get-ChildItem -LiteralPath $d.FullName -File -Force -ErrorAction SilentlyContinue) {
            $files += [ordered]@{ path = $f.FullName; size = [int64]$f.Length; mtime_ft = $f.LastWriteTimeUtc.ToFileTimeUtc();
                                  pe = (Test-PE $f.FullName) }
        }
    }
}

$system32 = [ordered]@{}
foreach ($f in Get-ChildItem -LiteralPath $sys32 -File -Force -ErrorAction SilentlyContinue) {
    if ($f.Extension -in @(".exe", ".dll")) { $system32[$f.Name] = [int64]$f.Length }
}

$allow = New-Object 'System.Collections.Generic.HashSet[string]'
foreach ($root in @($paths.APPDATA, $paths.ProgramFiles, $paths."ProgramFiles(x86)")) {
    if (-not $root -or -not (Test-Path -LiteralPath $root)) { continue }
    foreach ($d in Get-ChildItem -LiteralPath $root -Directory -Recurse -Force -ErrorAction SilentlyContinue) {
        [void]$allow.Add($d.Name)
    }
}

$bundle = [ordered]@{
    schema = 1
    collector = "emoguard-collector/1"
    host = $env:COMPUTERNAME
    user = $env:USERNAME
    domain = $env:USERDOMAIN
    is_admin = $isAdmin
    is64 = [Environment]::Is64BitOperatingSystem
    collected_at = (Get-Date).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ")
    volume_serial = $serial
    paths = $paths
    processes = $processes
    registry = $registry
    services = $services
    tasks = $tasks
    dirs = $dirs
    files = $files
    system32_files = $system32
    allowlist_dirs = @($allow)
    errors = @($errors)
}

if (-not $Output) {
    $stamp = (Get-Date).ToUniversalTime().ToString("yyyyMMddHHmmss")
    $Output = Join-Path (Get-Location) "$($env:COMPUTERNAME)_$($stamp)_emoguard-bundle.json"
}
$json = $bundle | ConvertTo-Json -Depth 6 -Compress
[System.IO.File]::WriteAllText($Output, $json, (New-Object System.Text.UTF8Encoding $false))
Write-Host "emoguard: artifact bundle written to $Output"
